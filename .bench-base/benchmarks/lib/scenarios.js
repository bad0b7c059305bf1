// The scenarios: the same payloads for every contender. Each scenario gives, per contender,
// a function `call(logger, seq)` that makes one log call; winston's call shapes differ from
// pino's (message first, fields second), the payload does not.

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0';

/** S2's ten fields; `reqId` carries the sequence number that end-to-end runs check. */
export function s2Fields(seq) {
  return {
    userId: 48213,
    action: 'checkout',
    ok: true,
    latencyMs: 12.7,
    path: '/api/v1/orders',
    method: 'POST',
    status: 201,
    ip: '203.0.113.42',
    ua: UA,
    reqId: seq,
  };
}

// About 1 KB once serialized: an order as a service would log it.
export const ORDER = {
  id: 'ord_7Hq2K9xLmP',
  createdAt: '2026-11-22T10:15:30.123Z',
  customer: {
    id: 'cus_19Fa03',
    email: 'ana.lima@example.com',
    tier: 'gold',
    address: { street: '14 Rua das Flores', city: 'Porto', zip: '4050-262', country: 'PT' },
  },
  items: [
    { sku: 'SKU-1001', name: 'Espresso beans 1kg', qty: 2, price: 24.5, tags: ['coffee', 'beans'] },
    { sku: 'SKU-2040', name: 'Burr grinder', qty: 1, price: 129.0, tags: ['equipment'] },
    { sku: 'SKU-3310', name: 'Filter papers x100', qty: 3, price: 4.2, tags: ['filters'] },
  ],
  payment: { method: 'card', brand: 'visa', last4: '4242', captured: true, amount: 195.1 },
  shipping: { carrier: 'CTT', service: 'express', eta: '2026-11-25', cost: 6.9 },
  flags: { gift: false, firstOrder: false, fraudScore: 0.03 },
  notes: 'Leave the parcel with the neighbour at number 16 if nobody answers the door.',
};

const CHILD_BINDINGS = { service: 'checkout', region: 'eu-west-1', version: '1.4.2' };

/** Per scenario: `prepare(logger, contender)` returns the logger the calls use (S3 makes its
 * child there, outside the timed code) and `call(logger, seq, contender)` makes one call. */
export const SCENARIOS = {
  S1: {
    title: "S1 info('hello world')",
    call: (l) => l.info('hello world'),
  },
  S2: {
    title: 'S2 10 fields + message',
    call: (l, seq, c) =>
      c === 'winston'
        ? l.info('request completed', s2Fields(seq))
        : l.info(s2Fields(seq), 'request completed'),
  },
  S3: {
    title: 'S3 child with 3 bindings',
    prepare: (l) => l.child(CHILD_BINDINGS),
    call: (l) => l.info('hello world'),
  },
  S4: {
    title: 'S4 disabled level',
    disabled: true,
    call: (l) => l.debug('hello world'),
  },
  S5: {
    title: 'S5 nested object ~1 KB',
    call: (l, _seq, c) =>
      c === 'winston'
        ? l.info('order received', { order: ORDER })
        : l.info({ order: ORDER }, 'order received'),
  },
  S6: {
    title: 'S6 error with stack',
    call: (l, _seq, c) => {
      const err = new Error('payment declined');
      return c === 'winston' ? l.error('charge failed', err) : l.error(err, 'charge failed');
    },
  },
};

export const PER_CALL_SCENARIOS = Object.keys(SCENARIOS);
