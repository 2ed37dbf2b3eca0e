/** The Worker entry: only the default export (workerd takes every named export for an entrypoint). */
import { app } from "./app";

export default app;
