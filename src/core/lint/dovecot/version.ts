/**
 * Dovecot 2.3 or 2.4: the two read different setting names (2.4 renamed most SSL settings and replaced
 * disable_plaintext_auth), so every fix is written for the version the config is for. A 2.4 config must start
 * with dovecot_config_version (doc.dovecot.org 2.4, "Upgrading Dovecot CE from 2.3 to 2.4"); 2.3 does not know
 * that setting. Names from 2.4's "Converted Settings" table.
 */
import type { DovecotSetting } from './parser';
import { isOpaque } from './template';

export type DovecotVersion = '2.3' | '2.4';

/** 2.3 name -> its 2.4 name; the file settings lose 2.3's `<` prefix (2.4 takes a path). */
export const RENAMED_IN_24: Readonly<Record<string, string>> = {
  ssl_cert: 'ssl_server_cert_file',
  ssl_key: 'ssl_server_key_file',
  ssl_alt_cert: 'ssl_server_alt_cert_file',
  ssl_alt_key: 'ssl_server_alt_key_file',
  ssl_dh: 'ssl_server_dh_file',
  ssl_key_password: 'ssl_server_key_password',
  ssl_ca: 'ssl_server_ca_file',
  ssl_client_cert: 'ssl_client_cert_file',
  ssl_client_key: 'ssl_client_key_file',
  ssl_cert_username_field: 'ssl_server_cert_username_field',
  ssl_prefer_server_ciphers: 'ssl_server_prefer_ciphers',
  ssl_require_crl: 'ssl_server_require_crl',
  ssl_verify_client_cert: 'ssl_server_request_client_cert',
  disable_plaintext_auth: 'auth_allow_cleartext',
};

/** 2.4 name -> 2.3 name (only where 2.3 has a setting of that meaning). */
export const NAME_IN_23: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(RENAMED_IN_24).map(([a, b]) => [b, a]));

/** 2.3 settings whose value is a file's content, read from a file only with the `<` prefix. */
export const CONTENT_SETTINGS_23 = new Set(['ssl_cert', 'ssl_key', 'ssl_alt_cert', 'ssl_alt_key', 'ssl_ca', 'ssl_dh', 'ssl_client_cert', 'ssl_client_key']);

/** 2.4 settings that take a file's path (no `<`). */
export const FILE_SETTINGS_24 = new Set([
  'ssl_server_cert_file',
  'ssl_server_key_file',
  'ssl_server_alt_cert_file',
  'ssl_server_alt_key_file',
  'ssl_server_ca_file',
  'ssl_server_dh_file',
  'ssl_client_cert_file',
  'ssl_client_key_file',
]);

export interface VersionInfo {
  /** undefined: nothing tells (a conf.d file alone that sets neither version's own names). */
  version?: DovecotVersion;
  /** Why, in words for evidence. */
  because: string;
}

/**
 * What the file is for: its own dovecot_config_version, else its main dovecot.conf's (`main`: the settings of
 * the dovecot.conf that includes it, when readable; a dovecot.conf without the setting is a 2.3 one), else (a
 * conf.d file alone) the names it uses.
 */
export function detectVersion(own: readonly DovecotSetting[], main: readonly DovecotSetting[] | undefined, isMain: boolean): VersionInfo {
  const declared = own.find((s) => s.name === 'dovecot_config_version') ?? main?.find((s) => s.name === 'dovecot_config_version');
  if (declared) return { version: versionOf(declared.value), because: `dovecot_config_version = ${declared.value.slice(0, 20)}` };
  // Dovecot 2.4 refuses a dovecot.conf that does not start with dovecot_config_version: without it, it is 2.3's.
  if (isMain || main) return { version: '2.3', because: 'dovecot.conf has no dovecot_config_version, which Dovecot 2.4 requires' };
  const v24 = own.find((s) => s.name in NAME_IN_23 || s.name === 'dovecot_storage_version');
  const v23 = own.find((s) => s.name in RENAMED_IN_24 || s.name === 'ssl_protocols');
  if (v24 && !v23) return { version: '2.4', because: `it uses the 2.4 name ${v24.name}` };
  if (v23 && !v24) return { version: '2.3', because: `it uses the 2.3 name ${v23.name}` };
  return { because: 'nothing in the file tells the Dovecot version' };
}

/** Settings Dovecot 2.2 does not know: a file that sets one is for 2.3 or later. */
const SINCE_23 = new Set(['ssl_min_protocol', 'ssl_dh', 'ssl_curve_list']);

/**
 * Whether the file may be read by Dovecot 2.2 (end of life, still on CentOS 7 and other old systems): nothing says
 * 2.4 and the file sets none of 2.3's new names. A config without dovecot_config_version is 2.3's or 2.2's; the
 * text alone cannot tell, so an edit written for 2.3 says so (2.2 refuses to start with ssl_min_protocol).
 */
export function mayBeDovecot22(version: VersionInfo, own: readonly DovecotSetting[]): boolean {
  return version.version !== '2.4' && !own.some((s) => SINCE_23.has(s.name));
}

function versionOf(v: string): DovecotVersion {
  // `dovecot_config_version = {{ dovecot_version }}`: only 2.4 knows the setting (2.3 stops at it as unknown).
  if (isOpaque(v)) return '2.4';
  const m = /^(\d+)\.(\d+)/.exec(v.trim());
  return m && (Number(m[1]) > 2 || (Number(m[1]) === 2 && Number(m[2]) >= 4)) ? '2.4' : '2.3';
}

/** The setting's name in `version` (2.3 names for 2.3, 2.4 names for 2.4). */
export function nameIn(version: DovecotVersion, name23: string): string {
  return version === '2.4' ? (RENAMED_IN_24[name23] ?? name23) : name23;
}
