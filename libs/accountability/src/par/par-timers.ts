import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AccountabilitySettingsService } from '../settings/accountability-settings.service';
import { ParService } from './par.service';

/**
 * The worker's accountability clock (every PAR_TICK_MS): raises PARs past their deadline and PAR timers that are
 * due. Deadlines and due times live in PostgreSQL, so a restarted worker (or api, or Redis) loses nothing: the first
 * tick after a start finds whatever came due meanwhile. Each is claimed once, whichever worker ticks first.
 */
@Injectable()
export class ParTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ParTimers.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly pars: ParService,
    private readonly settings: AccountabilitySettingsService,
  ) {}

  onApplicationBootstrap(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.accountability.tickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => this.logger.warn(`accountability tick failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const overdue = await this.pars.raiseOverdue();
    const due = await this.settings.raiseDueTimers();
    if (overdue || due) this.logger.log(`PARs overdue: ${overdue}, PAR timers due: ${due}`);
  }
}
