import { KIND_LIMIT } from '../metadata/draft.js';

/** How much of the 3000-character limit a kind will take once saved (code points of compact JSON). */
export function KindMeter({ id, length }: { id: string; length: number }) {
  const over = length > KIND_LIMIT;
  return (
    <div className={`meter${over ? ' over' : ''}`}>
      <meter
        aria-labelledby={`${id}-text`}
        min={0}
        max={KIND_LIMIT}
        low={KIND_LIMIT * 0.8}
        high={KIND_LIMIT * 0.95}
        optimum={0}
        value={Math.min(length, KIND_LIMIT)}
      />
      <span id={`${id}-text`}>
        {length} / {KIND_LIMIT} characters{over ? ` — ${length - KIND_LIMIT} over the limit` : ''}
      </span>
    </div>
  );
}
