// OWNER: B
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export const metadataRoutes = new Hono<AppEnv>();
