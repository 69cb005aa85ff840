// Preloaded with `--import` into an instance under test: its host clock runs TEST_CLOCK_SHIFT_MS ahead
// (or behind, if negative) of the real one, for everything in the process that reads Date.
const shift = Number(process.env.TEST_CLOCK_SHIFT_MS ?? 0);
const RealDate = globalThis.Date;

class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + shift);
    else super(...args);
  }

  static now() {
    return RealDate.now() + shift;
  }
}

globalThis.Date = ShiftedDate;
