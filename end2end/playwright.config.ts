import { defineConfig } from "@playwright/test";

// Debian's Chromium (apt-get install chromium), never a downloaded browser.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.MSS_BASE_URL || "http://127.0.0.1:3000",
    locale: "zh-CN",
    launchOptions: chromium,
    trace: "retain-on-failure",
  },
  projects: [
    // The reporter on a phone, with the wasm loaded ...
    { name: "reporter-phone", testMatch: /(reporter|help)\.spec\.ts/, use: { ...phone } },
    // ... and every reporter test again with JavaScript off: plain forms that post and redirect.
    { name: "reporter-phone-no-js", testMatch: /(reporter|help)\.spec\.ts/, use: { ...phone, javaScriptEnabled: false } },
    // The reporter's phone on a slow network, before the wasm arrives (JavaScript on).
    { name: "reporter-slow-phone", testMatch: /slow-phone\.spec\.ts/, use: { ...phone } },
    // The incident team at a desktop.
    { name: "desk-desktop", testMatch: /(desk(-flow)?|admin|knowledge)\.spec\.ts/, use: { viewport: { width: 1280, height: 800 } } },
    // Live updates: a phone and a desk, on two app instances sharing the database.
    { name: "live", testMatch: /live\.spec\.ts/, use: { viewport: { width: 1280, height: 800 } } },
  ],
});
