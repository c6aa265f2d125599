import { expect, test } from "@playwright/test";
import { fileReport, phoneReporter, ready, signIn, uniqueCustomer } from "./helpers";

test("an admin creates an account, and disabling it signs it out at once", async ({ page, browser }, testInfo) => {
  test.slow();
  await signIn(page, testInfo, "admin");
  await page.getByRole("navigation").getByRole("link", { name: "用户" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await ready(page, testInfo);

  // A new group member for operations. A short password is refused and nothing typed is lost.
  const login = `qian${Date.now() % 1_000_000}`;
  const form = page.locator(".admin-side");
  await form.getByRole("textbox", { name: "账号", exact: true }).fill(login);
  await form.getByLabel("姓名").fill("钱多多");
  await form.getByLabel("角色").selectOption({ label: "协作组成员" });
  await form.getByLabel("初始密码").fill("short");
  await form.getByLabel("运维").check();
  await form.getByRole("button", { name: "创建用户" }).click();
  await expect(form.getByText("至少 8 个字", { exact: true })).toBeVisible();
  await expect(form.getByRole("textbox", { name: "账号", exact: true })).toHaveValue(login);
  await expect(form.getByLabel("运维")).toBeChecked();
  await form.getByLabel("初始密码").fill("qian-password-1");
  await form.getByRole("button", { name: "创建用户" }).click();
  await expect(page).toHaveURL(/saved=user\.new/);
  const row = page.getByRole("row").filter({ hasText: login });
  await expect(row.getByText("运维")).toBeVisible();
  await expect(row.getByText("协作组成员")).toBeVisible();

  // The new member signs in elsewhere and sees their group's queue.
  const otherContext = await browser.newContext({ ...testInfo.project.use });
  const member = await otherContext.newPage();
  await signIn(member, testInfo, login, "qian-password-1");
  await expect(member).toHaveURL(/\/desk$/);
  await expect(member.getByText("转交给你所在组的事件")).toBeVisible();

  // Disabled: their very next page is the sign-in page.
  await row.getByRole("link", { name: "钱多多" }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/users/${login}$`));
  await ready(page, testInfo);
  await page.getByRole("button", { name: "停用账号" }).click();
  await expect(page.getByText(/起停用/)).toBeVisible();
  await member.reload();
  await expect(member).toHaveURL(/\/login/);

  // The audit trail has both, searchable by what was done.
  await page.getByRole("navigation").getByRole("link", { name: "审计日志" }).click();
  await ready(page, testInfo);
  await page.locator(`select[name="action"]`).selectOption({ label: "停用用户" });
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(/action=user\.disable/);
  await expect(page.locator("tbody tr").first()).toContainText(login);
  await otherContext.close();
});

test("an admin adds a system that reporters can then pick", async ({ page, browser }, testInfo) => {
  await signIn(page, testInfo, "admin");
  await expect(page).toHaveURL(/\/desk$/);
  await page.goto("/admin/lists");
  await ready(page, testInfo);
  const code = `sys${Date.now() % 1_000_000}`;
  const add = page.locator("#list-system .list-row-new");
  await add.getByLabel("代码").fill(code);
  await add.getByLabel("中文名称").fill("融资融券");
  await add.getByLabel("英文名称").fill("Margin trading");
  await add.getByRole("button", { name: "添加" }).click();
  await expect(page).toHaveURL(/saved=system\.new/);
  await expect(page.locator(`#list-system input[value="${code}"]`)).toBeVisible();

  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  await reporter.goto("/report/new");
  await ready(reporter, testInfo);
  await expect(reporter.locator(`select[name="system"] option[value="${code}"]`)).toHaveText("融资融券");
  await phone.close();
});

test("the queue by keyboard, and a bulk claim", async ({ page, browser }, testInfo) => {
  test.slow();
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const numbers: string[] = [];
  for (const prefix of ["冯", "陈"]) {
    numbers.push(await fileReport(reporter, testInfo, {
      customer: uniqueCustomer(prefix),
      number: "310011112222",
      description: "客户登录 App 后行情页面一直转圈，无法加载自选股。",
    }));
  }
  await phone.close();

  await signIn(page, testInfo, "handler");
  await expect(page).toHaveURL(/\/desk$/);
  await page.goto("/desk?status=new");
  await ready(page, testInfo);
  // j moves to the first row (the newest), x ticks it, j and x the next one.
  await page.keyboard.press("j");
  await expect(page.locator("tr.row-current")).toContainText(numbers[1]);
  await page.keyboard.press("x");
  await page.keyboard.press("j");
  await expect(page.locator("tr.row-current")).toContainText(numbers[0]);
  await page.keyboard.press("x");
  await expect(page.locator(".bulk-count")).toHaveText("已选 2 个：");
  await page.locator("#bulk").getByRole("button", { name: "执行" }).click();
  await expect(page.getByText("已处理 2 个事件。")).toBeVisible();
  for (const number of numbers) await expect(page.getByRole("row").filter({ hasText: number })).toHaveCount(0);

  // r on an incident opens the reply form, ready to type; ? lists the shortcuts.
  await page.goto(`/desk/incidents/${numbers[0]}`);
  await ready(page, testInfo);
  await page.keyboard.press("r");
  await expect(page.locator("#act-reply textarea")).toBeFocused();
  await page.locator("#act-reply textarea").press("Escape");
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "键盘快捷键" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "键盘快捷键" })).toBeHidden();
});
