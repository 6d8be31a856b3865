/** A pattern that matches exactly `text` (for playwright's `hasText`, which otherwise matches substrings). */
export function exactText(text: string, flags = ''): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, flags);
}
