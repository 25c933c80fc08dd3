import * as openpgp from 'openpgp';

/** A cleartext-signed message (RFC 9580 §7), readable as is and checkable with `gpg --verify`. */
export async function signCleartext(text: string, armoredPrivateKey: string): Promise<string> {
  const signingKeys = await openpgp.readPrivateKey({ armoredKey: armoredPrivateKey });
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys, format: 'armored' });
}
