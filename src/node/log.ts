/**
 * Request log lines, written in batches. Node writes to a file or a pipe synchronously (one `write`
 * system call per `console.log`), which cost about a fifth of a cached delivery answer under load (a CPU
 * profile of the server at 32 connections; `npm run bench:paired`). Lines logged while the event loop
 * handles one batch of sockets go out together, in order, in one write: at the loop's next check phase,
 * as soon as 64 KiB are waiting, and at exit. Node only (the entry's `log`, src/node.ts).
 */

/** Waiting text that is written at once rather than at the end of the loop's turn. */
const MAX_WAITING = 64 * 1024;

export interface LineWriter {
  /** Queues one line (without its newline). */
  line(text: string): void;
  /** Writes what is waiting now. */
  flush(): void;
}

/**
 * @example
 * const log = lineWriter((text) => process.stdout.write(text));
 * log.line(JSON.stringify({ status: 200 })); // written after this turn of the event loop
 * process.once("exit", log.flush);
 */
export function lineWriter(write: (text: string) => void, maxWaiting = MAX_WAITING): LineWriter {
  let waiting = "";
  let scheduled = false;
  const flush = () => {
    if (waiting === "") return;
    const text = waiting;
    waiting = "";
    write(text);
  };
  const onTurnEnd = () => {
    scheduled = false;
    flush();
  };
  return {
    line(text) {
      waiting += `${text}\n`;
      if (waiting.length >= maxWaiting) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(onTurnEnd);
      }
    },
    flush,
  };
}
