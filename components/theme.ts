/** Colours of the console; every one is undefined when colour is off (NO_COLOR or --no-color). */
export interface Palette {
  accent: string | undefined;
  ok: string | undefined;
  warn: string | undefined;
  error: string | undefined;
  muted: string | undefined;
}

const colours: Palette = { accent: 'cyan', ok: 'green', warn: 'yellow', error: 'red', muted: 'gray' };
const plain: Palette = { accent: undefined, ok: undefined, warn: undefined, error: undefined, muted: undefined };

/** Returns the palette for a console with colour on or off. */
export function palette(color: boolean): Palette {
  return color ? colours : plain;
}
