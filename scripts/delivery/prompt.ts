/** Asking a person at a terminal for a missing credential (never in CI, never for fleets). */
import * as readline from "readline";

/** Asks `question` on stderr and reads one line from stdin; `hidden` answers are not echoed. */
export function ask(question: string, hidden: boolean): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    // Echo the question, then nothing of what is typed.
    const writer = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    writer._writeToOutput = (s: string) => {
      if (!asked) {
        process.stderr.write(s);
        asked = true;
      }
    };
  }
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write("\n");
      resolve(answer.trim());
    }),
  );
}

/** True when a person can be asked: both ends are terminals and this is not CI. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY && !process.env.CI);
}
