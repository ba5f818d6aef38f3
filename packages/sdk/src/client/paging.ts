/** Azure-style paged lists: iterate items with `for await`, or pages with `.byPage()`. */
import type { Page } from '../backend/types.js';

export interface PagedAsyncIterable<T> extends AsyncIterable<T> {
  byPage(options?: { continuationToken?: string; pageSize?: number }): AsyncIterable<Page<T>>;
}

export const paged = <T>(
  fetchPage: (continuationToken: string | undefined, pageSize: number | undefined) => Promise<Page<T>>,
  defaultPageSize?: number,
): PagedAsyncIterable<T> => {
  async function* byPage(options: { continuationToken?: string; pageSize?: number } = {}): AsyncGenerator<Page<T>> {
    let token = options.continuationToken;
    const size = options.pageSize ?? defaultPageSize;
    do {
      const page = await fetchPage(token, size);
      yield page;
      token = page.continuationToken;
    } while (token !== undefined);
  }
  return {
    byPage,
    async *[Symbol.asyncIterator]() {
      for await (const page of byPage()) yield* page.items;
    },
  };
};
