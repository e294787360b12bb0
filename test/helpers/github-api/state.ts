import { createHash } from "node:crypto";

/** The in-memory GitHub a test seeds before a run and inspects after it. */

export interface Asset {
  readonly id: number;
  name: string;
  label: string | null;
  contentType: string;
  data: Buffer;
  readonly createdAt: string;
  updatedAt: string;
  downloadCount: number;
}

export interface Release {
  readonly id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  readonly createdAt: string;
  publishedAt: string | null;
  readonly assets: Asset[];
}

/** A commit is a full snapshot of the files: enough for contents and refs, no trees or merges. */
export interface Commit {
  readonly sha: string;
  readonly parent: string | null;
  readonly message: string;
  readonly files: ReadonlyMap<string, Buffer>;
}

export interface PullRequest {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  /** The head branch name (same repository: no forks here). */
  readonly head: string;
  readonly base: string;
  state: "open" | "closed";
  draft: boolean;
  readonly createdAt: string;
}

export interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly createdAt: string;
}

export interface Issue {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: "open" | "closed";
  readonly createdAt: string;
  readonly comments: IssueComment[];
}

/** Git's own blob id (`git hash-object`), which GitHub returns as a file's `sha`. */
export function gitBlobSha(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

export class Repository {
  /** Full ref name (`refs/heads/main`, `refs/tags/v1`) → commit sha. */
  readonly refs = new Map<string, string>();
  readonly commits = new Map<string, Commit>();
  readonly releases: Release[] = [];
  readonly pulls: PullRequest[] = [];
  readonly issues: Issue[] = [];
  /** Issues and pull requests share one number sequence on GitHub. */
  private lastNumber = 0;

  constructor(
    private readonly github: GitHubState,
    readonly id: number,
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  nextNumber(): number {
    return ++this.lastNumber;
  }

  /** Record a commit on top of `parent` with `changes` applied, and return it (refs are not moved). */
  commit(parent: string | null, message: string, changes: Record<string, Buffer | null>): Commit {
    const files = new Map(parent ? this.commits.get(parent)?.files : undefined);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    const listing = [...files].map(([path, content]) => `${path}\0${gitBlobSha(content)}`).join("\n");
    const sha = createHash("sha1").update(`${parent ?? ""}\n${message}\n${listing}\n${this.github.nextId()}`).digest("hex");
    const commit: Commit = { sha, parent, message, files };
    this.commits.set(sha, commit);
    return commit;
  }

  /** The commit a branch name, tag name, full ref or commit sha designates (GitHub's `ref` parameter). */
  resolve(ref: string): Commit | undefined {
    const sha = this.refs.get(ref) ?? this.refs.get(`refs/heads/${ref}`) ?? this.refs.get(`refs/tags/${ref}`) ?? ref;
    return this.commits.get(sha);
  }

  /** The file at `path` on `branch` (default: the default branch), for tests to inspect. */
  fileAt(path: string, branch = this.defaultBranch): Buffer | undefined {
    return this.resolve(`refs/heads/${branch}`)?.files.get(path);
  }

  addRelease(seed: { tagName: string; name?: string; body?: string; draft?: boolean; prerelease?: boolean; targetCommitish?: string }): Release {
    const now = githubTime();
    const release: Release = {
      id: this.github.nextId(),
      tagName: seed.tagName,
      targetCommitish: seed.targetCommitish ?? this.defaultBranch,
      name: seed.name ?? seed.tagName,
      body: seed.body ?? null,
      draft: seed.draft ?? false,
      prerelease: seed.prerelease ?? false,
      createdAt: now,
      publishedAt: seed.draft ? null : now,
      assets: [],
    };
    this.releases.push(release);
    return release;
  }

  addAsset(release: Release, seed: { name: string; data: Buffer; contentType?: string; label?: string }): Asset {
    const now = githubTime();
    const asset: Asset = {
      id: this.github.nextId(),
      name: seed.name,
      label: seed.label ?? null,
      contentType: seed.contentType ?? "application/octet-stream",
      data: seed.data,
      createdAt: now,
      updatedAt: now,
      downloadCount: 0,
    };
    release.assets.push(asset);
    return asset;
  }

  addIssue(seed: { title: string; body?: string; labels?: string[]; state?: "open" | "closed" }): Issue {
    const issue: Issue = {
      id: this.github.nextId(),
      number: this.nextNumber(),
      title: seed.title,
      body: seed.body ?? null,
      labels: seed.labels ?? [],
      state: seed.state ?? "open",
      createdAt: githubTime(),
      comments: [],
    };
    this.issues.push(issue);
    return issue;
  }

  addPull(seed: { title: string; head: string; base: string; body?: string; draft?: boolean }): PullRequest {
    const pull: PullRequest = {
      id: this.github.nextId(),
      number: this.nextNumber(),
      title: seed.title,
      body: seed.body ?? null,
      head: seed.head,
      base: seed.base,
      state: "open",
      draft: seed.draft ?? false,
      createdAt: githubTime(),
    };
    this.pulls.push(pull);
    return pull;
  }

  findRelease(id: number): Release | undefined {
    return this.releases.find((release) => release.id === id);
  }

  findAsset(id: number): { release: Release; asset: Asset } | undefined {
    for (const release of this.releases) {
      const asset = release.assets.find((candidate) => candidate.id === id);
      if (asset) return { release, asset };
    }
    return undefined;
  }
}

export class GitHubState {
  readonly repositories = new Map<string, Repository>();
  private lastId = 1000;

  /** `token` is the one credential the server accepts (the workflow's `GITHUB_TOKEN`). */
  /** How `GET …/releases/assets/{id}` with `Accept: application/octet-stream` answers: GitHub documents both. */
  assetDownload: "redirect" | "stream" = "redirect";

  constructor(public token: string) {}

  nextId(): number {
    return ++this.lastId;
  }

  /** A repository whose default branch holds `files` in one initial commit. */
  addRepository(seed: { owner: string; name: string; defaultBranch?: string; files?: Record<string, string | Buffer> }): Repository {
    const repository = new Repository(this, this.nextId(), seed.owner, seed.name, seed.defaultBranch ?? "main");
    const files = Object.fromEntries(Object.entries(seed.files ?? {}).map(([path, content]) => [path, Buffer.from(content)]));
    const initial = repository.commit(null, "Initial commit", files);
    repository.refs.set(`refs/heads/${repository.defaultBranch}`, initial.sha);
    this.repositories.set(repository.fullName.toLowerCase(), repository);
    return repository;
  }

  /** GitHub matches owner and repository names without regard to case. */
  repository(owner: string, name: string): Repository | undefined {
    return this.repositories.get(`${owner}/${name}`.toLowerCase());
  }
}

/** Timestamps as GitHub's REST API writes them: ISO 8601 in UTC, whole seconds ("2013-02-27T19:35:32Z"). */
export function githubTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
