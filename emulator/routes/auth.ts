/** `/auth/time` (unsigned, a bare integer) and `/auth/details` (signed): what the provider calls at start-up. */
import type { Route } from "./common";

/** Auth routes. */
export const authRoutes: Route[] = [
  { method: "GET", path: "/1.0/auth/time", handler: (ctx) => Math.floor(ctx.now / 1000) },
  {
    method: "GET",
    path: "/1.0/auth/details",
    handler: () => ({
      account: "xx1234-ovh",
      method: "account",
      allowedRoutes: [
        { method: "GET", path: "/*" },
        { method: "POST", path: "/*" },
        { method: "PUT", path: "/*" },
        { method: "DELETE", path: "/*" },
      ],
      description: "Majordome OVH emulator",
      identities: [],
      roles: [],
      user: "",
    }),
  },
];
