/*
 * What an ssh failure means, from ssh's own words on stderr: each kind gets
 * its error code and the step that fixes it. Host keys are checked exactly as
 * ssh checks them (the user's known_hosts and StrictHostKeyChecking); an
 * unknown or changed key is never accepted here, only explained.
 */
import { ErrorCodes } from '../../protocol';
import { Fixes, SessionError } from '../../trace/errors';
import type { HostTarget } from './target';

/** ssh's diagnostic lines without its banners and debug noise, for messages. */
export function sshWords(stderr: string): string {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(@+|Warning: Permanently added)/.test(l)).slice(-6).join(' ');
}

/** The error for an ssh that exited 255 (its own failure, not the remote command's). */
export function sshFailure(t: HostTarget, stderr: string): SessionError {
  const said = sshWords(stderr);
  const host = t.host;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) {
    return new SessionError(ErrorCodes.HostKeyChanged, `the host key of ${t.text} has CHANGED since it was recorded in known_hosts; ssh refused to connect (a reinstalled server, or someone in between): ${said}`, [
      Fixes.advice(`check the new key with the server's administrator; if it is right, remove the old one with \`ssh-keygen -R ${host}\` and connect once with \`ssh ${t.text}\` in a terminal to accept the new one`),
    ]);
  }
  if (/Host key verification failed|No .*host key is known for/i.test(stderr)) {
    return new SessionError(ErrorCodes.HostKeyUnknown, `the host key of ${t.text} is not in known_hosts, and ssh does not accept unknown keys without asking (BatchMode): ${said}`, [
      Fixes.advice(`connect once with \`ssh ${t.text}\` in a terminal, compare the fingerprint with the server's, and accept it; then connect again`),
    ]);
  }
  if (/Permission denied \(|Too many authentication failures|no mutual signature|Authentication failed/i.test(stderr)) {
    return new SessionError(ErrorCodes.HostAuthRefused, `${t.text} refused every key ssh offered (no password is asked for: BatchMode): ${said}`, [
      Fixes.advice(`install your public key on the server (\`ssh-copy-id ${t.text}\`), or add the right key to your agent (\`ssh-add KEYFILE\`) or to ~/.ssh/config (IdentityFile)`),
    ]);
  }
  if (/Could not resolve hostname/i.test(stderr)) {
    return new SessionError(ErrorCodes.HostUnreachable, `${t.text}: the name ${host} does not resolve: ${said}`, [
      Fixes.advice(`check the spelling, or add a Host ${host} entry with its HostName to ~/.ssh/config`),
    ]);
  }
  return new SessionError(ErrorCodes.HostUnreachable, `cannot reach ${t.text} over ssh: ${said || 'ssh exited with status 255 and said nothing'}`, [
    Fixes.advice(`check that \`ssh ${t.text} true\` works in a terminal (address, port, network, jump host)`),
  ]);
}
