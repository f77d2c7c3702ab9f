import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make bench`: page weight and time to hydrated, against the same release server as the tests.
export default defineConfig({ ...base, testDir: './bench', timeout: 300_000 });
