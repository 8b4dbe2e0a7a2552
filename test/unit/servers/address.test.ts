import { parseAddress } from '../../../src/servers/api';

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:9598', { host: '127.0.0.1', port: 9598 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:80', { host: '::1', port: 80 }],
  ])('splits %s into host and port', (address, expected) => {
    expect(parseAddress(address)).toEqual(expected);
  });

  it.each(['9598', ':9598', 'host:99999', 'host:http'])('rejects %s', (address) => {
    expect(() => parseAddress(address)).toThrow(/expected host:port/);
  });
});
