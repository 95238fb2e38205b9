/**
 * One target attribute of a link (RFC 6690 section 2, `link-param`): its name and
 * its value, or `true` for an attribute written without a value (`;obs`).
 * `;a=""` gives the empty string, which differs from `;a`.
 */
export type LinkAttribute = readonly [name: string, value: string | true]

/**
 * One link of a link-format document (RFC 6690): the target URI-reference as written
 * between `<` and `>` (not resolved, not percent-decoded), and its attributes in
 * document order, repeats included (`;rt="a";rt="b"` keeps both).
 */
export interface Link {
  readonly target: string
  readonly attributes: readonly LinkAttribute[]
}
