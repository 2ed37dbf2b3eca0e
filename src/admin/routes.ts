// OWNER: A
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export const adminRoutes = new Hono<AppEnv>();
