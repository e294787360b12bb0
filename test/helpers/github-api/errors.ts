/**
 * GitHub's REST error bodies. docs.github.com "Troubleshooting the REST API" / "Getting started":
 * a client error answers `{"message": …, "documentation_url": …}`, validation failures (422) add
 * `"errors": [{"resource", "field", "code"}]` with codes `missing`, `missing_field`, `invalid`,
 * `already_exists`, `unprocessable` or `custom` (then with a `message`); responses since 2024 also carry
 * `"status"` as a string (e.g. `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`).
 */
export interface ValidationError {
  resource: string;
  code: "missing" | "missing_field" | "invalid" | "already_exists" | "unprocessable" | "custom";
  field?: string;
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl = "https://docs.github.com/rest",
    readonly errors?: ValidationError[],
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      documentation_url: this.documentationUrl,
      ...(this.errors ? { errors: this.errors } : {}),
      status: String(this.status),
    };
  }
}

export const notFound = (docs?: string) => new ApiError(404, "Not Found", docs);

/** 422 "Validation Failed" with one structured error, as GitHub answers a duplicate or an invalid field. */
export const validationFailed = (error: ValidationError, docs?: string) => new ApiError(422, "Validation Failed", docs, [error]);
