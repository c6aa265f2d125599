import { expect, type Browser, type Page, type TestInfo } from "@playwright/test";

export const PASSWORD = "mss-demo-2026";

/** Waits until the page is interactive: hydrated when JavaScript is on, loaded when off. */
export async function ready(page: Page, testInfo: TestInfo) {
  await page.waitForLoadState("load");
  if (testInfo.project.use.javaScriptEnabled !== false) {
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  }
}

export async function signIn(page: Page, testInfo: TestInfo, login: string, password = PASSWORD) {
  await page.goto("/login");
  await ready(page, testInfo);
  await page.getByLabel("账号").fill(login);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

/** A reporter signed in on a phone, in a browser context of its own (close it when done). */
export async function phoneReporter(browser: Browser, testInfo: TestInfo, login = "agent") {
  const context = await browser.newContext({ ...testInfo.project.use, viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await signIn(page, testInfo, login);
  await expect(page).toHaveURL(/\/$/);
  return { context, page };
}

/** A customer name no other test uses, so assertions find exactly this report. */
export function uniqueCustomer(prefix: string) {
  return `${prefix}${Date.now().toString().slice(-6)}`;
}

export type Report = {
  customer: string;
  number: string;
  description: string;
  /** A system's name as the list shows it; none chosen when absent. */
  system?: string;
  idNumber?: string;
  phone?: string;
  urgent?: boolean;
};

/** Fills the report form the page is on (without submitting it). */
export async function fillReportFields(page: Page, report: Report) {
  await page.getByLabel("客户姓名").fill(report.customer);
  await page.getByLabel("资金账号/客户号").fill(report.number);
  if (report.idNumber) await page.getByLabel("证件号码").fill(report.idNumber);
  if (report.phone) await page.getByLabel("手机号码").fill(report.phone);
  if (report.system) await page.getByLabel("受影响系统").selectOption({ label: report.system });
  if (report.urgent) await page.getByRole("radio", { name: "紧急", exact: true }).check();
  await page.getByLabel("问题描述").fill(report.description);
}

/** Fills the report form the page is on and submits it. */
export async function fillReport(page: Page, report: Report) {
  await fillReportFields(page, report);
  await page.getByRole("button", { name: "提交" }).click();
}

/**
 * Camera-like JPEGs (made by the browser's canvas), as files for `setInputFiles`.
 * Large on purpose: the page's script shrinks them before upload.
 */
export async function photos(page: Page, count: number, width = 3000, height = 2000) {
  // Drawn in a page of their own: the page under test may have JavaScript off.
  const context = await page.context().browser()!.newContext();
  const painter = await context.newPage();
  const files = [];
  for (let i = 0; i < count; i++) {
    const base64 = await painter.evaluate(
      ([w, h, seed]) => {
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = h;
        const ctx = canvas.getContext("2d")!;
        for (let k = 0; k < 400; k++) {
          ctx.fillStyle = `hsl(${(k * 37 + seed * 90) % 360} 70% 50%)`;
          ctx.fillRect((k * 97) % w, (k * 61) % h, 200, 120);
        }
        return canvas.toDataURL("image/jpeg", 0.92).split(",")[1];
      },
      [width, height, i] as const,
    );
    files.push({ name: `IMG_${1000 + i}.JPG`, mimeType: "image/jpeg", buffer: Buffer.from(base64, "base64") });
  }
  await context.close();
  return files;
}

/** Opens the report form, files `report`, returns the incident number from the confirmation. */
export async function fileReport(page: Page, testInfo: TestInfo, report: Report) {
  report = { system: "交易系统", ...report };
  await page.goto("/report/new");
  await ready(page, testInfo);
  await fillReport(page, report);
  await expect(page).toHaveURL(/\/report\/submitted\/MSS-\d{8}-\d{4,}(\?filed=[0-9a-f-]+)?$/);
  return new URL(page.url()).pathname.split("/").pop() ?? "";
}
