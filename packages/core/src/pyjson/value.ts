// A JSON value as Python's json module holds it. Python keeps ints and floats apart (`1` vs `1.0`), and writing a
// file back byte for byte needs that distinction, so ints are `bigint` and floats `number`.

/** A parsed or to-be-written Python JSON value: floats are `number`, ints are `bigint`. */
export type PyJson = number | bigint | string | boolean | null | PyJson[] | { [key: string]: PyJson };
