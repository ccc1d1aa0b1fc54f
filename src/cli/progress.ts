import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../core/reporter.js';

/**
 * Live progress: one bar per step with counts and ETA on a terminal; plain
 * periodic lines when output is not a terminal (CI, pipes).
 */
export class ProgressView {
  private readonly multi: cliProgress.MultiBar | undefined;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly lastLine = new Map<string, number>();

  constructor(private readonly enabled: boolean) {
    this.multi =
      enabled && process.stderr.isTTY
        ? new cliProgress.MultiBar(
            {
              stream: process.stderr,
              format: ' {label} |{bar}| {value}/{total} {percentage}% | ETA {eta_formatted} | {status}',
              hideCursor: true,
              clearOnComplete: false,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
  }

  handle = (event: ProgressEvent): void => {
    if (!this.enabled) return;
    switch (event.kind) {
      case 'step-start':
        if (this.multi) this.bars.set(barKey(event), this.multi.create(Math.max(event.total, 1), 0, { label: event.label.padEnd(14), status: 'listing' }));
        else process.stderr.write(`> ${event.job}: ${event.label}\n`);
        break;
      case 'step-total':
        this.bars.get(barKey(event))?.setTotal(Math.max(event.total, 1));
        break;
      case 'step-progress': {
        const bar = this.bars.get(barKey(event));
        if (bar) bar.update(event.done, { status: 'running' });
        else if (Date.now() - (this.lastLine.get(barKey(event)) ?? 0) > 2000 || event.done === event.total) {
          this.lastLine.set(barKey(event), Date.now());
          process.stderr.write(`  ${event.step}: ${event.done}/${event.total}\n`);
        }
        break;
      }
      case 'step-end': {
        const bar = this.bars.get(barKey(event));
        if (bar) bar.update({ status: event.status });
        else process.stderr.write(`  ${event.step}: ${event.status}\n`);
        break;
      }
      case 'message':
        if (this.multi) this.multi.log(`${event.level === 'error' ? 'error' : 'warning'}: ${event.message}\n`);
        else process.stderr.write(`  ${event.level === 'error' ? 'error' : 'warning'}: ${event.message}\n`);
        break;
      default: {
        const never: never = event;
        throw new Error(`unknown progress event ${JSON.stringify(never)}`);
      }
    }
  };

  stop(): void {
    this.multi?.stop();
  }
}

/** One bar per stored step: a type may be in several jobs of a run. */
function barKey(event: { idx?: number; step: string }): string {
  return event.idx === undefined ? event.step : `#${event.idx}`;
}
