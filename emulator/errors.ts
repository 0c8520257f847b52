/** OVH-shaped API errors: the status code, and the JSON body go-ovh decodes into `APIError`. */

/** Thrown by route handlers; the server turns it into an OVH error response. */
export class OvhError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
  }

  /** The JSON body OVH sends. */
  body(): Record<string, string> {
    const classes: Record<number, string> = {
      400: "Client::BadRequest",
      401: "Client::Unauthorized",
      403: "Client::Forbidden",
      404: "Client::NotFound",
      405: "Client::MethodNotAllowed",
      409: "Client::Conflict",
      413: "Client::RequestEntityTooLarge",
      429: "Client::TooManyRequests",
    };
    const cls = Object.hasOwn(classes, this.status) ? classes[this.status] : "Server::InternalServerError";
    return {
      class: cls,
      message: this.message,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
      httpCode: `${this.status}`,
    };
  }
}

/** 404 for a missing object, worded as OVH does. */
export function notFound(what: string, id: string): OvhError {
  return new OvhError(404, `The requested object (${what} = ${id}) does not exist`, "NOT_FOUND");
}

/** 400 for a malformed body. */
export function badRequest(message: string): OvhError {
  return new OvhError(400, message, "INVALID_ARGUMENT");
}

/** 409 for a duplicate. */
export function conflict(message: string): OvhError {
  return new OvhError(409, message, "CONFLICT");
}
