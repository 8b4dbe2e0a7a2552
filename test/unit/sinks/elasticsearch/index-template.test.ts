import { IndexTemplate } from '../../../../src/sinks/elasticsearch/index-template';

const clock = (): string => '2031-07-08T09:10:11.000Z';

describe('IndexTemplate', () => {
  it('renders dated names from the event timestamp in UTC', () => {
    const daily = new IndexTemplate('logs-%Y.%m.%d');
    expect(daily.render({ timestamp: '2024-05-01T23:59:59.999Z' }, clock)).toBe('logs-2024.05.01');
    expect(daily.render({ timestamp: '2024-05-02T01:30:00+02:00' }, clock)).toBe('logs-2024.05.01');
    expect(daily.render({ timestamp: '2024-05-02T00:00:00Z' }, clock)).toBe('logs-2024.05.02');
    expect(daily.usesFields).toBe(false);
  });

  it('uses the sink clock for an event without a usable timestamp', () => {
    const daily = new IndexTemplate('logs-%Y.%m.%d');
    expect(daily.render({ message: 'no time' }, clock)).toBe('logs-2031.07.08');
    expect(daily.render({ timestamp: 'yesterday' }, clock)).toBe('logs-2031.07.08');
  });

  it('fills {{ field }} parts from the event, lowercased, beside date parts', () => {
    const template = new IndexTemplate('logs-{{ service }}-{{kubernetes.namespace}}-%Y.%m');
    const event = { timestamp: '2024-05-01T10:00:00Z', service: 'Checkout', kubernetes: { namespace: 'prod' } };
    expect(template.render(event, clock)).toBe('logs-checkout-prod-2024.05');
    expect(template.render({ ...event, service: 42 }, clock)).toBe('logs-42-prod-2024.05');
    expect(template.usesFields).toBe(true);
  });

  it('keeps a literal percent sign and a field value with one', () => {
    expect(new IndexTemplate('a%%b-{{ x }}').render({ x: '50%' }, clock)).toBe('a%b-50%');
  });

  it('fails an event whose field is missing, empty or not a scalar, naming the field', () => {
    const template = new IndexTemplate('logs-{{ service }}');
    expect(() => template.render({}, clock)).toThrow('index "logs-{{ service }}" needs field "service", which the event lacks');
    expect(() => template.render({ service: '' }, clock)).toThrow('lacks');
    expect(() => template.render({ service: { name: 'x' } }, clock)).toThrow('has as an object or a list');
    expect(() => template.render({ service: ['a'] }, clock)).toThrow('has as an object or a list');
  });

  it('refuses unknown directives, stray braces and empty templates at configuration time', () => {
    expect(() => new IndexTemplate('logs-%j')).toThrow('unsupported directive %j');
    expect(() => new IndexTemplate('logs-{{ service }')).toThrow('unbalanced or empty {{ }}');
    expect(() => new IndexTemplate('logs-{{}}')).toThrow('unbalanced or empty {{ }}');
    expect(() => new IndexTemplate('')).toThrow('index template is empty');
  });
});
