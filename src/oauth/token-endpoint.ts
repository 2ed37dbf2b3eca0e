// OWNER: C
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export const tokenRoutes = new Hono<AppEnv>();
