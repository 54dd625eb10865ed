/**
 * The processes of one test control plane and their work directory, torn down together: by stop(), by this Node
 * process exiting or being signalled, and — when Node dies by SIGKILL — by a detached shell watchdog that notices the
 * parent is gone. No etcd or kube-* process outlives the test that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  readonly exited: Promise<ProcessExit>;
  running(): boolean;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  kill(): Promise<void>;
}

// A dead parent can linger as a zombie (this host's init reaps slowly), so "alive" means present and not state Z.
const WATCHDOG = `
parent=$1; dir=$2
alive() { s=$(cat /proc/$1/stat 2>/dev/null) || return 1; s=\${s##*") "}; [ "\${s%% *}" != Z ]; }
while alive "$parent"; do sleep 1; done
[ -f "$dir/pids" ] && kill -9 $(cat "$dir/pids") 2>/dev/null
rm -rf "$dir"
`;

const liveGroups = new Set<ProcessGroup>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onExit(): void {
  for (const group of liveGroups) group.stopNow();
}

function onSignal(signal: NodeJS.Signals): void {
  onExit();
  uninstallHandlers();
  // Our listener suppressed the default action: re-raise so the process still dies of the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (liveGroups.size !== 1) return;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstallHandlers(): void {
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

export class ProcessGroup {
  private readonly processes: { child: ChildProcess; exited: Promise<ProcessExit> }[] = [];
  private readonly watchdog: ChildProcess;
  private stopped = false;

  constructor(readonly workDir: string) {
    this.watchdog = spawn('sh', ['-c', WATCHDOG, 'aspis-watchdog', String(process.pid), workDir], {
      detached: true,
      stdio: 'ignore',
    });
    this.watchdog.unref();
    liveGroups.add(this);
    installHandlers();
  }

  spawn(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): SupervisedProcess {
    if (this.stopped) throw new Error(`cannot start ${name}: the control plane was stopped`);
    const logPath = join(this.workDir, `${name}.log`);
    const log = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['ignore', log, log], env });
    } finally {
      closeSync(log);
    }
    // A test that forgets stop() must not hang the runner: the exit handler kills the process instead.
    child.unref();
    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    appendFileSync(join(this.workDir, 'pids'), `${child.pid}\n`);
    this.processes.push({ child, exited });
    let done = false;
    void exited.then(() => (done = true));
    const pid = child.pid;
    return {
      name,
      pid,
      logPath,
      exited,
      running: () => !done,
      logTail: (lines = 30) => {
        try {
          return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        } catch {
          return '(no log)';
        }
      },
      kill: async () => {
        if (done) return;
        child.ref();
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  /** Kills every process (SIGKILL: the data is thrown away, so a graceful shutdown buys nothing) and removes the dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    for (const { child } of this.processes) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.ref(); // keep the event loop alive until the exit is reported
      child.kill('SIGKILL');
    }
    await Promise.all(this.processes.map((p) => p.exited));
    this.finish();
  }

  /** Synchronous variant for process exit and signals. */
  stopNow(): void {
    if (this.stopped) return;
    for (const { child } of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.finish();
  }

  private finish(): void {
    this.stopped = true;
    try {
      if (this.watchdog.pid !== undefined) process.kill(-this.watchdog.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (!process.env.ASPIS_KEEP_CONTROL_PLANE) rmSync(this.workDir, { recursive: true, force: true });
    liveGroups.delete(this);
    if (liveGroups.size === 0) uninstallHandlers();
  }
}
