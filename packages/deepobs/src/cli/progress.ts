import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { RunProgress } from '../runner/index.js';
import type { CliIo } from './io.js';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const fmt = (x: number | undefined) => (x === undefined ? '-' : Number.isFinite(x) ? x.toPrecision(4) : String(x));

/**
 * Progress of a run: a live bar (epoch, step, mini-batch loss, ETA) on a terminal, one line per epoch otherwise;
 * each evaluation is printed as a line in both cases.
 */
export class ProgressDisplay {
  private multibar?: MultiBar;
  private bar?: SingleBar;
  private lastLine = 0;

  constructor(private readonly io: CliIo) {}

  callbacks(): RunProgress {
    return {
      onStart: (info) => {
        if (!this.io.interactive) return;
        this.multibar = new MultiBar(
          { format: 'epoch {epoch}/{epochs} |{bar}| {percentage}% | step {value}/{total} | loss {loss} | ETA {eta}', hideCursor: true, clearOnComplete: true },
          Presets.shades_classic,
        );
        this.bar = this.multibar.create(info.numEpochs * info.stepsPerEpoch, 0, { epoch: 0, epochs: info.numEpochs, loss: '-', eta: '?' });
      },
      onStep: (p) => {
        const payload = { epoch: p.epoch + 1, epochs: p.numEpochs, loss: fmt(p.loss), eta: formatDuration(p.etaMs) };
        if (this.bar) this.bar.update(p.step + 1, payload);
        else if (p.stepInEpoch === p.stepsPerEpoch || Date.now() - this.lastLine > 30_000) {
          this.lastLine = Date.now();
          this.io.err(`epoch ${payload.epoch}/${p.numEpochs} step ${p.stepInEpoch}/${p.stepsPerEpoch} loss ${payload.loss} ETA ${payload.eta}\n`);
        }
      },
      onEvaluation: ({ epoch, metrics: m }) => {
        const acc = m.test_accuracy !== undefined ? ` | accuracy train ${fmt(m.train_accuracy)} valid ${fmt(m.valid_accuracy)} test ${fmt(m.test_accuracy)}` : '';
        const line = `evaluation after epoch ${epoch}: loss train ${fmt(m.train_loss)} valid ${fmt(m.valid_loss)} test ${fmt(m.test_loss)}${acc}\n`;
        if (this.multibar) this.multibar.log(line);
        else this.io.err(line);
      },
    };
  }

  stop(): void {
    this.multibar?.stop();
  }
}
