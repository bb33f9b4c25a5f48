/**
 * `process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'` (or `= 0`, or `process.env['NODE_TLS_REJECT_UNAUTHORIZED']`) in
 * code: Node reads the variable at every TLS connection, so setting it at run time turns certificate checks off
 * for the mail transport and for everything else the process connects to.
 */
import type * as t from '@babel/types';
import type { Finding } from '../../finding';
import type { LineIndex } from '../lines';
import { envKeyOf, resolveValue, type ResolveContext } from './resolve';
import { forEachNode } from './traverse';
import { makeFinding } from '../../findings';

export function processWideNoVerify(ast: t.File, path: string, index: LineIndex, lookupEnv: ResolveContext['lookupEnv']): Finding[] {
  const ctx: ResolveContext = { bindings: new Map(), envAliases: new Map(), lookupEnv };
  const out: Finding[] = [];
  forEachNode(ast, (n) => {
    if (
      n.type === 'AssignmentExpression' &&
      n.operator === '=' &&
      (n.left.type === 'MemberExpression' || n.left.type === 'OptionalMemberExpression') &&
      envKeyOf(n.left) === 'NODE_TLS_REJECT_UNAUTHORIZED'
    ) {
      const v = resolveValue(n.right, ctx);
      // Node stores env values as strings: 0 becomes '0', which is what disables the checks.
      if (v.known && String(v.value) === '0') out.push(finding(path, index, n));
    }
  });
  return out;
}

function finding(path: string, index: LineIndex, n: t.AssignmentExpression): Finding {
  return makeFinding('nodemailer.tls-verification-disabled', {
    severity: 'warning',
    title: 'NODE_TLS_REJECT_UNAUTHORIZED is set to 0 in code: certificate checks are off for every TLS connection of the process.',
    detail:
      'From this line on, the mail transport accepts any certificate, and so does every HTTPS call and database connection of the process: ' +
      'a man in the middle gets the SMTP password and the mail. Node prints a warning about it once; the setting usually hides ' +
      '"self signed certificate in certificate chain" or a server that does not send its intermediate certificate.',
    fix:
      "Remove the assignment and trust the right CA instead (tls: { ca: fs.readFileSync('company-ca.pem') } in the transport, or " +
      'NODE_EXTRA_CA_CERTS), or fix the server to send its full chain. Probe the server to see which it is.',
    evidence: ['process.env.NODE_TLS_REJECT_UNAUTHORIZED = 0'],
    file: path,
    range: index.range(n.start ?? 0, n.end ?? n.start ?? 0),
  });
}
