/**
 * nodemailer's well-known services (its dist/well-known/services.json, 10.6.x), so a `service` name resolves to the
 * host, port and TLS mode nodemailer itself would use. Names, aliases and e-mail domains all resolve, after the same
 * normalisation nodemailer applies (keep [a-zA-Z0-9.-], lower-case, the part after an @).
 */
// `secure` stays absent unless nodemailer's table sets it: an absent key leaves the user's own `secure` in force.
type Row = [names: string[], host: string, port: number | undefined, flags?: { secure?: boolean; requireTLS?: boolean }];

const ROWS: Row[] = [
  // MailDev has no host in nodemailer's table: it connects to localhost.
  [['Maildev'], 'localhost', 1025],
  [['126'], 'smtp.126.com', 465, { secure: true }],
  [['163'], 'smtp.163.com', 465, { secure: true }],
  [['1und1'], 'smtp.1und1.de', 465, { secure: true }],
  [['Aliyun', 'aliyun.com'], 'smtp.aliyun.com', 465, { secure: true }],
  [['AliyunQiye'], 'smtp.qiye.aliyun.com', 465, { secure: true }],
  [['AOL', 'aol.com'], 'smtp.aol.com', 587],
  [['Aruba', 'Aruba PEC', 'aruba.it', 'pec.aruba.it'], 'smtps.aruba.it', 465, { secure: true }],
  [['Bluewin', 'bluewin.ch'], 'smtpauths.bluewin.ch', 465],
  [['BOL', 'bol.com.br'], 'smtp.bol.com.br', 587, { requireTLS: true }],
  [['DebugMail'], 'debugmail.io', 25],
  [['Disroot', 'disroot.org'], 'disroot.org', 587, { secure: false }],
  [['DynectEmail', 'Dynect'], 'smtp.dynect.net', 25],
  [['ElasticEmail', 'Elastic Email'], 'smtp.elasticemail.com', 465, { secure: true }],
  [['Ethereal', 'ethereal.email'], 'smtp.ethereal.email', 587],
  [['FastMail', 'fastmail.com', 'fastmail.fm'], 'smtp.fastmail.com', 465, { secure: true }],
  [['Feishu Mail', 'Feishu', 'FeishuMail', 'www.feishu.cn'], 'smtp.feishu.cn', 465, { secure: true }],
  [['Forward Email', 'FE', 'ForwardEmail', 'forwardemail.net'], 'smtp.forwardemail.net', 465, { secure: true }],
  [['GandiMail', 'Gandi', 'Gandi Mail'], 'mail.gandi.net', 587],
  [['Gmail', 'Google Mail', 'gmail.com', 'googlemail.com'], 'smtp.gmail.com', 465, { secure: true }],
  [['GmailWorkspace', 'Google Workspace Mail'], 'smtp-relay.gmail.com', 465, { secure: true }],
  [['GMX', 'gmx.com', 'gmx.net', 'gmx.de'], 'mail.gmx.com', 587],
  [['Godaddy'], 'smtpout.secureserver.net', 25],
  [['GodaddyAsia'], 'smtp.asia.secureserver.net', 25],
  [['GodaddyEurope'], 'smtp.europe.secureserver.net', 25],
  [['Groundmail'], 'smtp.groundmail.dev', 587, { secure: false, requireTLS: true }],
  [['hot.ee'], 'mail.hot.ee', undefined],
  [['Hotmail', 'Outlook', 'Outlook.com', 'Hotmail.com', 'hotmail.com', 'outlook.com'], 'smtp-mail.outlook.com', 587],
  [['iCloud', 'Me', 'Mac', 'icloud.com', 'me.com', 'mac.com'], 'smtp.mail.me.com', 587],
  [['Infomaniak', 'ik.me', 'ikmail.com', 'etik.com'], 'mail.infomaniak.com', 587],
  [['KolabNow', 'Kolab', 'kolabnow.com'], 'smtp.kolabnow.com', 465, { secure: true }],
  [['Loopia'], 'mailcluster.loopia.se', 465],
  [['Loops'], 'smtp.loops.so', 587],
  [['mail.ee'], 'smtp.mail.ee', undefined],
  [['Mail.ru'], 'smtp.mail.ru', 465, { secure: true }],
  [['Mailcatch.app'], 'sandbox-smtp.mailcatch.app', 2525],
  [['MailerSend'], 'smtp.mailersend.net', 587],
  [['Mailgun'], 'smtp.mailgun.org', 465, { secure: true }],
  [['Mailjet'], 'in.mailjet.com', 587],
  [['Mailosaur'], 'mailosaur.io', 25],
  [['MailSenpai'], 'relay.mailsenpai.com', 2525, { secure: false }],
  [['Mailtrap'], 'live.smtp.mailtrap.io', 587],
  [['Mandrill'], 'smtp.mandrillapp.com', 587],
  [['Naver'], 'smtp.naver.com', 587],
  [['OhMySMTP'], 'smtp.ohmysmtp.com', 587, { secure: false }],
  [['One'], 'send.one.com', 465, { secure: true }],
  [['OpenMailBox', 'OMB', 'openmailbox.org'], 'smtp.openmailbox.org', 465, { secure: true }],
  [['Outlook365'], 'smtp.office365.com', 587, { secure: false }],
  [['Oveyon'], 'smtp.oveyon.com', 587, { secure: false, requireTLS: true }],
  [['Postmark', 'PostmarkApp'], 'smtp.postmarkapp.com', 2525],
  [
    ['Proton', 'ProtonMail', 'Proton.me', 'Protonmail.com', 'Protonmail.ch', 'proton.me', 'protonmail.com', 'pm.me', 'protonmail.ch'],
    'smtp.protonmail.ch',
    587,
    { requireTLS: true },
  ],
  [['qiye.aliyun'], 'smtp.mxhichina.com', 465, { secure: true }],
  [['QQ', 'qq.com'], 'smtp.qq.com', 465, { secure: true }],
  [['QQex', 'QQ Enterprise', 'exmail.qq.com'], 'smtp.exmail.qq.com', 465, { secure: true }],
  [['Resend'], 'smtp.resend.com', 465, { secure: true }],
  [['Runbox', 'runbox.com'], 'smtp.runbox.com', 465, { secure: true }],
  [['SendCloud'], 'smtp.sendcloud.net', 2525],
  [['SendGrid'], 'smtp.sendgrid.net', 587],
  [['SendinBlue', 'Brevo'], 'smtp-relay.brevo.com', 587],
  [['Sendora'], 'smtp.sendora.se', 465, { secure: true }],
  [['SendPulse'], 'smtp-pulse.com', 465, { secure: true }],
  [['SES'], 'email-smtp.us-east-1.amazonaws.com', 465, { secure: true }],
  [['SES-AP-NORTHEAST-1'], 'email-smtp.ap-northeast-1.amazonaws.com', 465, { secure: true }],
  [['SES-AP-NORTHEAST-2'], 'email-smtp.ap-northeast-2.amazonaws.com', 465, { secure: true }],
  [['SES-AP-NORTHEAST-3'], 'email-smtp.ap-northeast-3.amazonaws.com', 465, { secure: true }],
  [['SES-AP-SOUTH-1'], 'email-smtp.ap-south-1.amazonaws.com', 465, { secure: true }],
  [['SES-AP-SOUTHEAST-1'], 'email-smtp.ap-southeast-1.amazonaws.com', 465, { secure: true }],
  [['SES-AP-SOUTHEAST-2'], 'email-smtp.ap-southeast-2.amazonaws.com', 465, { secure: true }],
  [['SES-CA-CENTRAL-1'], 'email-smtp.ca-central-1.amazonaws.com', 465, { secure: true }],
  [['SES-EU-CENTRAL-1'], 'email-smtp.eu-central-1.amazonaws.com', 465, { secure: true }],
  [['SES-EU-NORTH-1'], 'email-smtp.eu-north-1.amazonaws.com', 465, { secure: true }],
  [['SES-EU-WEST-1'], 'email-smtp.eu-west-1.amazonaws.com', 465, { secure: true }],
  [['SES-EU-WEST-2'], 'email-smtp.eu-west-2.amazonaws.com', 465, { secure: true }],
  [['SES-EU-WEST-3'], 'email-smtp.eu-west-3.amazonaws.com', 465, { secure: true }],
  [['SES-SA-EAST-1'], 'email-smtp.sa-east-1.amazonaws.com', 465, { secure: true }],
  [['SES-US-EAST-1'], 'email-smtp.us-east-1.amazonaws.com', 465, { secure: true }],
  [['SES-US-EAST-2'], 'email-smtp.us-east-2.amazonaws.com', 465, { secure: true }],
  [['SES-US-GOV-EAST-1'], 'email-smtp.us-gov-east-1.amazonaws.com', 465, { secure: true }],
  [['SES-US-GOV-WEST-1'], 'email-smtp.us-gov-west-1.amazonaws.com', 465, { secure: true }],
  [['SES-US-WEST-1'], 'email-smtp.us-west-1.amazonaws.com', 465, { secure: true }],
  [['SES-US-WEST-2'], 'email-smtp.us-west-2.amazonaws.com', 465, { secure: true }],
  [['Seznam', 'Seznam Email', 'seznam.cz', 'email.cz', 'post.cz', 'spoluzaci.cz'], 'smtp.seznam.cz', 465, { secure: true }],
  [['SMTP2GO'], 'mail.smtp2go.com', 2525],
  [['SpacePost'], 'smtp.spacepost.dev', 25976, { secure: false, requireTLS: true }],
  [['Sparkpost', 'SparkPost', 'SparkPost Mail', 'sparkpost.com'], 'smtp.sparkpostmail.com', 587, { secure: false }],
  [['Tipimail'], 'smtp.tipimail.com', 587],
  [['TurboSMTP'], 'pro.turbo-smtp.com', 465, { secure: true }],
  [['TurboSMTP-EU'], 'pro.eu.turbo-smtp.com', 465, { secure: true }],
  [['Tutanota', 'tutanota.com', 'tuta.com', 'tutanota.de', 'tuta.io'], 'smtp.tutanota.com', 465, { secure: true }],
  [['Yahoo', 'yahoo.com'], 'smtp.mail.yahoo.com', 465, { secure: true }],
  [['Yandex', 'yandex.ru'], 'smtp.yandex.ru', 465, { secure: true }],
  [['Zimbra', 'Zimbra Collaboration'], 'smtp.zimbra.com', 587, { requireTLS: true }],
  [['Zoho'], 'smtp.zoho.com', 465, { secure: true }],
];

export interface WellKnownService {
  name: string;
  host: string;
  /** Absent for the few services that leave it to nodemailer's default. */
  port?: number;
  /** Absent when the service leaves `secure` to the user's options (and so to the port). */
  secure?: boolean;
  requireTLS: boolean;
}

const BY_KEY = new Map<string, WellKnownService>();
for (const [names, host, port, flags] of ROWS) {
  const svc: WellKnownService = { name: names[0], host, port, secure: flags?.secure, requireTLS: flags?.requireTLS === true };
  for (const n of names) BY_KEY.set(normalizeServiceKey(n), svc);
}

export function normalizeServiceKey(key: string): string {
  return (key.split('@').pop() ?? '').replace(/[^a-zA-Z0-9.-]/g, '').toLowerCase();
}

/** The service nodemailer would use for this name, or undefined when nodemailer does not know it (it then ignores it). */
export function wellKnownService(name: string): WellKnownService | undefined {
  return BY_KEY.get(normalizeServiceKey(name));
}
