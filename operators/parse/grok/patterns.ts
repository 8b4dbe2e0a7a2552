/**
 * sluice's grok pattern library, written for this project. Names follow the grok convention
 * users know from Logstash, so `%{COMMONAPACHELOG}` means what they expect; the regexes are
 * our own, tuned for V8 (no catastrophic nesting, IPv4 tried before IPv6). Patterns refer
 * to each other with `%{NAME}`; a `%{NAME:field}` inside a library pattern names the field
 * a composite pattern (an access log line) fills.
 */

const HEX4 = '[0-9A-Fa-f]{1,4}';
const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';

/** Each entry: NAME → regex with `%{...}` references. */
export const GROK_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  // Numbers and words
  INT: '[+-]?[0-9]+',
  POSINT: '\\b[1-9][0-9]*\\b',
  NONNEGINT: '\\b[0-9]+\\b',
  BASE10NUM: '[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?',
  NUMBER: '%{BASE10NUM}',
  BASE16NUM: '(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?[0-9A-Fa-f]+)',
  BASE16FLOAT: '\\b[+-]?(?:0x)?(?:[0-9A-Fa-f]+(?:\\.[0-9A-Fa-f]*)?|\\.[0-9A-Fa-f]+)\\b',
  BOOLEAN: '\\b(?:[Tt]rue|[Ff]alse|TRUE|FALSE)\\b',
  WORD: '\\b\\w+\\b',
  NOTSPACE: '\\S+',
  SPACE: '\\s*',
  DATA: '.*?',
  GREEDYDATA: '.*',
  QUOTEDSTRING: '(?:"(?:[^"\\\\]|\\\\.)*"|\'(?:[^\'\\\\]|\\\\.)*\'|`(?:[^`\\\\]|\\\\.)*`)',
  QS: '%{QUOTEDSTRING}',
  UUID: '[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}',
  URN: 'urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:(?:%[0-9a-fA-F]{2}|[0-9A-Za-z()+,.:=@;$_!*\'/?#-])+',
  // Users and e-mail
  USERNAME: '[a-zA-Z0-9._-]+',
  USER: '%{USERNAME}',
  EMAILLOCALPART: '[a-zA-Z0-9!#$%&\'*+/=?^_`{|}~-]+(?:\\.[a-zA-Z0-9!#$%&\'*+/=?^_`{|}~-]+)*',
  EMAILADDRESS: '%{EMAILLOCALPART}@%{HOSTNAME}',
  // Network
  MAC: '(?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})',
  CISCOMAC: '(?:[0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}',
  WINDOWSMAC: '(?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}',
  COMMONMAC: '(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}',
  IPV4: `(?<![0-9])(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET}(?![0-9])`,
  IPV6:
    `(?:(?:${HEX4}:){7}${HEX4}|(?:${HEX4}:){6}%{IPV4}|(?:${HEX4}:){1,5}(?::${HEX4}){0,4}:%{IPV4}|::(?:${HEX4}:){0,5}%{IPV4}` +
    `|(?:${HEX4}:){1,6}(?::${HEX4}){1,6}|(?:${HEX4}:){1,7}:|::(?:${HEX4}(?::${HEX4}){0,6})?)(?:%[0-9A-Za-z]+)?(?![0-9A-Fa-f:])`,
  IP: '(?:%{IPV4}|%{IPV6})',
  HOSTNAME: '\\b[0-9A-Za-z](?:[0-9A-Za-z-]{0,62}[0-9A-Za-z])?(?:\\.[0-9A-Za-z](?:[0-9A-Za-z-]{0,62}[0-9A-Za-z])?)*\\.?\\b',
  HOST: '%{HOSTNAME}',
  IPORHOST: '(?:%{IP}|%{HOSTNAME})',
  HOSTPORT: '%{IPORHOST}:%{POSINT}',
  // Paths and URIs
  PATH: '(?:%{UNIXPATH}|%{WINPATH})',
  UNIXPATH: '(?:/[\\w_%!$@:.,+~-]*)+',
  TTY: '/dev/(?:pts|tty[pq])?(?:\\w+)?/?\\d+',
  WINPATH: '(?:[A-Za-z]+:|\\\\)(?:\\\\[^\\\\?*]*)+',
  URIPROTO: '[A-Za-z][A-Za-z0-9+.-]+',
  URIHOST: '%{IPORHOST}(?::%{POSINT})?',
  URIPATH: '(?:/[A-Za-z0-9$.+!*\'(){},~:;=@#%&_-]*)+',
  URIPARAM: '\\?[A-Za-z0-9$.+!*\'|(){},~@#%&/=:;_?\\-\\[\\]<>]*',
  URIPATHPARAM: '%{URIPATH}(?:%{URIPARAM})?',
  URI: '%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?',
  // Dates and times
  // Grouped by first letter: one character decides the branch, instead of trying twelve.
  MONTH: '\\b(?:[Jj](?:an(?:uary)?|u(?:ne?|ly?))|[Ff]eb(?:ruary)?|[Mm](?:ar(?:ch)?|ay)|[Aa](?:pr(?:il)?|ug(?:ust)?)|[Ss]ep(?:t(?:ember)?)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\\b',
  MONTHNUM: '(?:0?[1-9]|1[0-2])',
  MONTHNUM2: '(?:0[1-9]|1[0-2])',
  MONTHDAY: '(?:0[1-9]|[12][0-9]|3[01]|[1-9])',
  DAY: '(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)',
  YEAR: '(?:\\d\\d){1,2}',
  HOUR: '(?:2[0123]|[01]?[0-9])',
  MINUTE: '(?:[0-5][0-9])',
  SECOND: '(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)',
  TIME: '%{HOUR}:%{MINUTE}(?::%{SECOND})?',
  DATE_US: '%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}',
  DATE_EU: '%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}',
  DATE: '(?:%{DATE_US}|%{DATE_EU})',
  ISO8601_TIMEZONE: '(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))',
  ISO8601_SECOND: '%{SECOND}',
  TIMESTAMP_ISO8601: '%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?',
  RFC3339: '\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{1,9})?(?:[Zz]|[+-]\\d{2}:?\\d{2})',
  TZ: '(?:[APMCE][SD]T|UTC|GMT)',
  DATESTAMP: '%{DATE}[- ]%{TIME}',
  DATESTAMP_RFC822: '%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}',
  DATESTAMP_RFC2822: '%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}',
  DATESTAMP_OTHER: '%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}',
  HTTPDATE: '%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}',
  SYSLOGTIMESTAMP: '%{MONTH} +%{MONTHDAY} %{TIME}',
  // Levels
  LOGLEVEL:
    '(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)',
  // Syslog
  PROG: '[\\x21-\\x5a\\x5c\\x5e-\\x7e]+',
  SYSLOGPROG: '%{PROG:program}(?:\\[%{POSINT:pid:int}\\])?',
  SYSLOGHOST: '%{IPORHOST}',
  SYSLOGFACILITY: '<%{NONNEGINT:facility:int}.%{NONNEGINT:priority:int}>',
  SYSLOGPRI: '<%{NONNEGINT:priority:int}>',
  SYSLOGBASE: '%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:',
  SYSLOGLINE: '(?:%{SYSLOGPRI})?%{SYSLOGBASE} %{GREEDYDATA:message}',
  // Web servers
  // A plain user name (or `-`) is the common case: tried first, the e-mail form only when an `@` follows.
  HTTPDUSER: '(?:%{USER}(?!@)|%{EMAILADDRESS})',
  HTTPDERROR_DATE: '%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR}',
  COMMONAPACHELOG:
    '%{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \\[%{HTTPDATE:timestamp}\\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" %{INT:response:int} (?:%{INT:bytes:int}|-)',
  COMBINEDAPACHELOG: '%{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}',
  HTTPD_ERRORLOG:
    '\\[%{HTTPDERROR_DATE:timestamp}\\] \\[(?:%{WORD:module})?:%{LOGLEVEL:loglevel}\\] \\[pid %{POSINT:pid:int}(?::tid %{INT:tid:int})?\\](?: \\(%{POSINT:proxy_errorcode}\\)%{DATA:proxy_message}:)?(?: \\[client %{IPORHOST:clientip}(?::%{POSINT:clientport:int})?\\])?(?: %{DATA:errorcode}:)? %{GREEDYDATA:message}',
  HTTPD20_ERRORLOG: '\\[%{HTTPDERROR_DATE:timestamp}\\] \\[%{LOGLEVEL:loglevel}\\] (?:\\[client %{IPORHOST:clientip}\\] )?%{GREEDYDATA:message}',
  NGINXACCESS: '%{COMBINEDAPACHELOG}',
  NGINXERROR:
    '%{NGINX_ERRORDATE:timestamp} \\[%{LOGLEVEL:loglevel}\\] %{POSINT:pid:int}#%{NONNEGINT:tid:int}: (?:\\*%{NONNEGINT:connection:int} )?%{GREEDYDATA:message}',
  NGINX_ERRORDATE: '\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}',
  // Java
  JAVACLASS: '(?:[a-zA-Z$_][a-zA-Z$_0-9]*\\.)*[a-zA-Z$_][a-zA-Z$_0-9]*',
  JAVAFILE: '(?:[a-zA-Z$_0-9. -]+)',
  JAVAMETHOD: '(?:<(?:cl)?init>|[a-zA-Z$_][a-zA-Z$_0-9]*)',
  JAVASTACKTRACEPART: '\\s*at %{JAVACLASS:class}\\.%{JAVAMETHOD:method}\\(%{JAVAFILE:file}(?::%{INT:line:int})?\\)',
  JAVAEXCEPTION: '(?:Exception in thread "%{DATA:thread}" )?%{JAVACLASS:exception}(?:: %{GREEDYDATA:exception_message})?',
  // key=value
  KEY: '[A-Za-z_][\\w.-]*',
  QUOTEDVALUE: '"(?:[^"\\\\]|\\\\.)*"',
  KEYVALUE: '%{KEY:key}=(?:%{QUOTEDVALUE:value}|%{NOTSPACE:value})',
});
