import { z } from "zod";

export const ORG_ID = /^o[0-9a-z]{20}$/;
export const orgParam = z.object({ id: z.string().regex(ORG_ID, "not an organization id") });
export const orgMemberParam = orgParam.extend({ userId: z.string().regex(/^u[0-9a-z]{20}$/, "not a user id") });
export const orgKeyParam = orgParam.extend({ keyId: z.string().regex(/^key_[0-9a-z]{22}$/, "not a key id") });
