// Placeholder dashboard build: copies the static page into dashboard/dist, which Workers assets serve.
import { cpSync, mkdirSync } from "node:fs";

const here = new URL(".", import.meta.url);
mkdirSync(new URL("dist/", here), { recursive: true });
cpSync(new URL("index.html", here), new URL("dist/index.html", here));
