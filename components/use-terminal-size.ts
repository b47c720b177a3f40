import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Size of a terminal, in columns and rows. */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Follows the size of Ink's stdout through its resize events; `fallback` fills in what a non-terminal stream lacks. */
export function useTerminalSize(fallback: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows });
  const [size, setSize] = useState(read);

  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // read() depends only on stdout and the fallback numbers.
  }, [stdout, fallback.columns, fallback.rows]);
  return size;
}
