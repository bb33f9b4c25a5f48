/**
 * What nodemailer will actually do with a transport's options, by its own rules (smtp-transport and
 * smtp-connection, 10.x): URL values override the object's, a known `service` overrides both; the port is
 * `Number(port) || (secure ? 465 : 587)`; `secure` is `!!secure`, except that an absent `secure` on port 465
 * becomes true. Unknown values stay unknown, so no rule guesses.
 */
import type { OptionSite, TransportSite } from './transports';
import { wellKnownService, type WellKnownService } from './services';

export interface Effective {
  service?: WellKnownService;
  /** A `service` name nodemailer does not know: it ignores it without a word. */
  unknownService?: string;
  host?: string;
  /** False when the host is set but its value could not be resolved. */
  hostKnown: boolean;
  port?: number;
  /**
   * Where the port comes from: written (an option, the URL, a resolved variable), a known service's table, or
   * nodemailer's default (`secure ? 465 : 587`), which is only an assumption when the options are not all seen.
   */
  portFrom: 'option' | 'service' | 'default' | 'unknown';
  /** False for a transport that is not SMTP (`sendmail: true`, `streamTransport`, `jsonTransport`, `SES`). */
  smtp: boolean;
  secure?: boolean;
  /** Who decided `secure`: the user's option (or URL), the service table, or the port default. */
  secureFrom: 'option' | 'service' | 'default' | 'unknown';
  requireTLS?: boolean;
  ignoreTLS?: boolean;
}

/** Options that make createTransport build something other than an SMTP transport. */
const NON_SMTP = ['sendmail', 'streamTransport', 'jsonTransport', 'SES', 'transport'];

export function effectiveOf(site: TransportSite): Effective {
  const opt = (k: string): OptionSite | undefined => site.options.get(k);
  const serviceSite = opt('service');
  let service: WellKnownService | undefined;
  let unknownService: string | undefined;
  if (serviceSite?.resolved.known && typeof serviceSite.resolved.value === 'string' && serviceSite.resolved.value !== '') {
    service = wellKnownService(serviceSite.resolved.value);
    if (!service) unknownService = serviceSite.resolved.value;
  }

  let secureRaw: { known: boolean; value?: unknown; present: boolean };
  let secureFrom: Effective['secureFrom'];
  if (service?.secure !== undefined) {
    secureRaw = { known: true, value: service.secure, present: true };
    secureFrom = 'service';
  } else {
    const s = opt('secure');
    secureRaw = s ? { known: s.resolved.known, value: s.resolved.value, present: true } : { known: true, value: undefined, present: false };
    secureFrom = s ? (s.resolved.known ? 'option' : 'unknown') : 'default';
  }

  let portValue: { known: boolean; value?: unknown };
  let portFrom: Effective['portFrom'];
  if (service?.port !== undefined) {
    portValue = { known: true, value: service.port };
    portFrom = 'service';
  } else {
    const p = opt('port');
    portValue = p ? { known: p.resolved.known, value: p.resolved.value } : { known: true, value: undefined };
    portFrom = !p ? 'default' : p.resolved.known && Number(p.resolved.value) ? 'option' : p.resolved.known ? 'default' : 'unknown';
  }
  // A `service` whose value cannot be read may set the port: nothing about the port is known then.
  if (serviceSite && !serviceSite.resolved.known && portFrom === 'default') portFrom = 'unknown';

  let port: number | undefined;
  let secure: boolean | undefined;
  if (secureRaw.known) {
    const secureConnection = Boolean(secureRaw.value);
    if (portValue.known) {
      port = Number(portValue.value) || (secureConnection ? 465 : 587);
      secure = secureRaw.value === undefined && port === 465 ? true : secureConnection;
    } else {
      secure = secureRaw.value === undefined ? undefined : secureConnection;
    }
  } else if (portValue.known) {
    const n = Number(portValue.value);
    port = n || undefined;
  }

  const hostSite = opt('host');
  const hostKnown = service !== undefined || !hostSite || (hostSite.resolved.known && typeof hostSite.resolved.value === 'string');
  const host = service?.host ?? (hostSite?.resolved.known && typeof hostSite.resolved.value === 'string' ? hostSite.resolved.value : undefined);

  return {
    service,
    unknownService,
    host,
    hostKnown,
    port,
    portFrom,
    smtp: !NON_SMTP.some((k) => {
      const o = opt(k);
      return o !== undefined && (!o.resolved.known || Boolean(o.resolved.value));
    }),
    secure,
    secureFrom,
    requireTLS: flag(opt('requireTLS'), service?.requireTLS === true ? true : undefined),
    ignoreTLS: flag(opt('ignoreTLS')),
  };
}

/** A boolean option: true, false, or undefined when it is set to something we cannot resolve. */
function flag(site: OptionSite | undefined, forced?: boolean): boolean | undefined {
  if (forced !== undefined) return forced;
  if (!site) return false;
  return site.resolved.known ? Boolean(site.resolved.value) : undefined;
}
