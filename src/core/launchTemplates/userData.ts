/** Launch template user data: base64 ↔ text, bounded by the AWS limit. Pure; no imports. */

/** AWS accepts at most 16 KB of base64-encoded user data in a launch template. */
export const USER_DATA_MAX_BASE64_CHARS = 16_384;
/** The most UTF-8 bytes of text that still fit once encoded. */
export const USER_DATA_MAX_TEXT_BYTES = (USER_DATA_MAX_BASE64_CHARS / 4) * 3;

/** Thrown when user data text does not fit the AWS limit once encoded. */
export class UserDataTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(
      `The user data is ${bytes} bytes of text; a launch template takes at most ${USER_DATA_MAX_TEXT_BYTES} bytes (${USER_DATA_MAX_BASE64_CHARS} characters once base64-encoded). Shorten it, or have it download a larger script.`,
    );
    this.name = 'UserDataTooLargeError';
  }
}

/** Decodes base64 user data into text when it is canonical base64 of printable UTF-8; otherwise undefined. */
export function decodeUserData(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) return undefined;
  const text = bytes.toString('utf8');
  // eslint-disable-next-line no-control-regex -- binary user data is recognised by its control characters
  if (Buffer.from(text, 'utf8').equals(bytes) === false || /[\u0000-\u0008\u000e-\u001f]/.test(text)) return undefined;
  return text;
}

/** Encodes user data text as AWS takes it (base64 of UTF-8); throws UserDataTooLargeError past the limit. */
export function encodeUserData(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > USER_DATA_MAX_TEXT_BYTES) throw new UserDataTooLargeError(bytes);
  return Buffer.from(text, 'utf8').toString('base64');
}

/** "12 lines, 345 bytes": what may be said about user data without showing it. */
export function describeUserDataSize(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  const lines = text ? text.split('\n').length - (text.endsWith('\n') ? 1 : 0) : 0;
  return `${lines} line${lines === 1 ? '' : 's'}, ${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/** The language a user data document opens in: a shell script when it starts with #!/…sh. */
export function userDataLanguage(text: string): 'shellscript' | 'yaml' | 'powershell' | 'plaintext' {
  const first = text.slice(0, 200).split('\n', 1)[0].trim();
  if (/^#!.*\b(ba|z|k|da)?sh\b/.test(first)) return 'shellscript';
  if (/^#cloud-config\b/.test(first)) return 'yaml';
  if (/^<powershell>|^#ps1/i.test(first)) return 'powershell';
  return 'plaintext';
}
