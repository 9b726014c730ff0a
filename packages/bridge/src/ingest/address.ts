const LOOPBACK = /^tcp:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d+|\*)$/;

/**
 * The ingest binds loopback unless told otherwise twice: `public` says it is meant, and CurveZMQ keys make sure
 * only known trainers get in. ipc:// and inproc:// stay on this machine.
 */
export function checkBindAddress(bind: string, isPublic: boolean, hasCurve: boolean): void {
  if (!/^(tcp|ipc|inproc):\/\/.+/.test(bind)) throw new Error(`bind address ${JSON.stringify(bind)}: expected tcp://host:port, ipc://path or inproc://name`);
  const local = LOOPBACK.test(bind) || !bind.startsWith('tcp://');
  if (local) return;
  if (!isPublic) throw new Error(`bind address ${bind} is not loopback: pass --public (and CurveZMQ keys) to accept trainers from other machines`);
  if (!hasCurve) throw new Error(`bind address ${bind} is public: CurveZMQ keys are required (server key pair and allowed client keys)`);
}
