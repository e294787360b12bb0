import type { Reply, RequestContext } from "./router.js";

/**
 * Page-number pagination as docs.github.com "Using pagination in the REST API" describes it:
 * `per_page` (default 30, max 100) and `page` (default 1); when there is more than one page the response
 * carries a `link` header such as
 * `<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <…?page=4>; rel="next", <…?page=515>; rel="last", <…?page=1>; rel="first"`
 * ("The link header will be omitted if the endpoint does not support pagination or if all results fit on a single page").
 */
export function paginate<T>(context: RequestContext, items: readonly T[], render: (item: T) => unknown): Reply {
  const perPage = Math.min(100, Math.max(1, positiveInt(context.query.get("per_page")) ?? 30));
  const page = positiveInt(context.query.get("page")) ?? 1;
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (lastPage > 1) {
    const link = (target: number, rel: string) => {
      const url = new URL(context.url);
      url.searchParams.set("page", String(target));
      return `<${url.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, lastPage), "prev"));
    if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
    if (page > 1) links.push(link(1, "first"));
    headers["link"] = links.join(", ");
  }
  return { status: 200, body: slice.map(render), headers };
}

function positiveInt(value: string | null): number | undefined {
  if (value === null) return undefined;
  const number = Number.parseInt(value, 10);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}
