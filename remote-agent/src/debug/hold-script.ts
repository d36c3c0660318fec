/*
 * The hold wrapper a debug configuration puts in front of its runtime (js-debug's
 * runtimeExecutable, debugpy's python): it tells the agent its pid over the
 * hold's FIFO (in a 0700 folder; nothing on a network port) and waits until the
 * agent says the probe follows it, then execs the runtime in its own pid, so the
 * debuggee is traced from its first instruction. Perl, because perl-base is on
 * every Debian and it has non-blocking opens and select; a missing or silent
 * agent never keeps the debuggee from running (it runs untraced and says why).
 */
import { ensureUserFile } from '../runtimes/node/preload-file';
import { HOLD_DIR_ENV, HOLD_EXEC_ENV } from './hold-env';

export { HOLD_DIR_ENV, HOLD_EXEC_ENV } from './hold-env';
/** The FIFO a held process writes its pid to, in the hold's folder. */
export const HOLD_FIFO = 'reports';
/** Seconds the wrapper waits for the agent before it runs the debuggee untraced. */
export const HOLD_TIMEOUT_S = 60;

/** The wrapper's source. */
export function holdSource(): string {
  return `#!/usr/bin/perl
# Runtime Lens: holds a debuggee at entry until the tracing agent follows it, then runs it.
use strict;
use warnings;
use Fcntl;
use POSIX ();
my $dir = $ENV{${HOLD_DIR_ENV}} // '';
my $exec = $ENV{${HOLD_EXEC_ENV}} // '';
delete $ENV{${HOLD_DIR_ENV}};
delete $ENV{${HOLD_EXEC_ENV}};
my @cmd = length($exec) ? ($exec, @ARGV) : @ARGV;
die "runtime-lens hold: no command to run (set ${HOLD_EXEC_ENV} or give it as arguments)\\n" unless @cmd;
sub untraced { print STDERR "runtime-lens: $_[0]; the program runs untraced\\n"; }
if (length $dir) {
  my $go = "$dir/go.$$";
  if (!POSIX::mkfifo($go, 0600)) {
    untraced("cannot make $go ($!): is the Runtime Lens session still running?");
  } elsif (!sysopen(my $reply, $go, O_RDONLY | O_NONBLOCK)) {
    untraced("cannot open $go ($!)");
  } else {
    if (sysopen(my $report, "$dir/${HOLD_FIFO}", O_WRONLY | O_NONBLOCK)) {
      syswrite($report, "$$\\n");
      close($report);
      my $in = '';
      vec($in, fileno($reply), 1) = 1;
      untraced("the Runtime Lens agent did not answer within ${HOLD_TIMEOUT_S} s")
        unless select(my $ready = $in, undef, undef, ${HOLD_TIMEOUT_S}) > 0;
    } else {
      untraced("the Runtime Lens agent is not listening on $dir/${HOLD_FIFO} ($!)");
    }
    close($reply);
  }
  unlink($go);
}
exec { $cmd[0] } @cmd or die "runtime-lens hold: cannot run $cmd[0]: $!\\n";
`;
}

/**
 * Writes the wrapper (executable by every user, in this user's runtime-lens folder, not in the
 * hold's own: a debug configuration that outlives its hold must still start) and returns its path.
 */
export function ensureHoldFile(): string {
  return ensureUserFile('hold', '.pl', holdSource(), 0o755);
}
