import type { Rng } from './random.js';

/** A slot is fixed text, or text chosen at each rendering (e.g. the way an address is written). */
export type SlotValue = string | ((rng: Rng) => string);
export type Slots = Readonly<Record<string, SlotValue>>;

const ALTERNATIVES = /\[([^[\]]*)\]/g;
const SLOT = /\{(\w+)\}/g;

/**
 * Renders a template: `[a|b|]` picks one alternative (possibly empty), `{name}` inserts a slot.
 * Alternatives may contain slots; they do not nest. Extra spaces left by empty alternatives are removed.
 */
export function render(template: string, slots: Slots, rng: Rng): string {
  const chosen = template.replace(ALTERNATIVES, (_match, body: string) => rng.pick(body.split('|')));
  const filled = chosen.replace(SLOT, (_match, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`template slot {${name}} has no value: ${template}`);
    return typeof value === 'function' ? value(rng) : value;
  });
  return tidy(filled);
}

function tidy(text: string): string {
  const squeezed = text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.?!:;])/g, '$1')
    .replace(/,\s*,/g, ',')
    .trim();
  return squeezed.charAt(0).toUpperCase() + squeezed.slice(1);
}
