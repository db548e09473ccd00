/** A task waiting for a slot; its `priority` may be lowered (made more urgent) while it waits. */
export interface Ticket {
  priority: number;
  /** Settles when the task has run (it rejects as the task does). */
  done: Promise<void>;
}

interface Pending {
  ticket: Ticket;
  start: () => void;
}

/**
 * Runs at most `concurrency` tasks at once; a freed slot goes to the waiting task of the lowest priority,
 * the earliest queued among equals. Tasks start asynchronously, so tasks queued in one turn are all
 * compared before any starts.
 */
export class PriorityLimit {
  private active = 0;
  private readonly pending: Pending[] = [];
  private draining = false;

  constructor(private readonly concurrency: number) {}

  /** Queues `task` at `priority` (lower first). */
  add(priority: number, task: () => Promise<void>): Ticket {
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const ticket: Ticket = {
      priority,
      done: started.then(task).finally(() => {
        this.active--;
        this.drain();
      }),
    };
    this.pending.push({ ticket, start });
    this.drain();
    return ticket;
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => {
      this.draining = false;
      while (this.active < this.concurrency && this.pending.length > 0) {
        let next = 0;
        for (let i = 1; i < this.pending.length; i++) {
          if (this.pending[i]!.ticket.priority < this.pending[next]!.ticket.priority) next = i;
        }
        const [chosen] = this.pending.splice(next, 1);
        this.active++;
        chosen!.start();
      }
    });
  }
}
