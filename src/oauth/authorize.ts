// OWNER: lead
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export const authorizeRoutes = new Hono<AppEnv>();
