-- A million incidents (psql -v n=1000000 -f bench/make_incidents.sql) as two years of a busy
-- desk would leave them: realistic Chinese descriptions put together from what customers run
-- into, most of them closed, a spread of systems, priorities, categories and dates; 300
-- reporters and 20 handlers. Run against a migrated database.
\set ON_ERROR_STOP on
SELECT setseed(0.42);

INSERT INTO users (login, display_name, role, password_hash)
SELECT 'bench_agent' || g, '客户经理' || g, 'reporter', 'x' FROM generate_series(1, 300) g
ON CONFLICT DO NOTHING;
INSERT INTO users (login, display_name, role, password_hash)
SELECT 'bench_handler' || g, '处理员' || g, 'handler', 'x' FROM generate_series(1, 20) g
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE words AS SELECT
    ARRAY['开户', '登录', '买入股票', '卖出股票', '申购基金', '赎回理财', '银证转账', '绑定银行卡', '修改交易密码',
          '查询持仓', '风险测评', '人脸识别', '支付保费', '撤单', '打新申购', '融资融券开通', '两融还款', '查看账单',
          '修改手机号', '港股通交易', '科创板开通', '资金划转', '身份证更新', '保单理赔'] AS actions,
    ARRAY['开户失败', '系统繁忙，请稍后再试', '支付失败', '交易失败', '网络异常', '余额不足', '验证码错误',
          '身份信息校验不通过', '银行卡信息不符', '委托已报未成交', '页面一直转圈', '闪退', '提示超时',
          '持仓显示为 0', '资金未到账', '重复扣款', '密码已锁定', '证件已过期', '无法提交'] AS errors,
    ARRAY['换了 4G 网络也一样', '客户已重启 App', '客户比较着急', '同营业部有多位客户反映', '已过 T+1 仍未到账',
          '上午 10 点左右开始出现', '安卓和苹果手机都有', '客户要求尽快回复', '之前一直正常', '柜台办理也不行',
          '截图已附上', '客户明天还要再试'] AS extras,
    ARRAY['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '欧阳', '司马'] AS surnames,
    ARRAY['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '桂英', '建华'] AS givens,
    ARRAY(SELECT id FROM systems ORDER BY id) AS systems,
    ARRAY(SELECT id FROM categories WHERE parent_id IS NULL ORDER BY id) AS categories,
    ARRAY(SELECT id FROM groups ORDER BY id) AS groups;

CREATE TEMP TABLE picks AS
SELECT g AS n,
       now() - random() * interval '730 days' AS created,
       random() AS r_state, random() AS r_pri, random() AS r_cat,
       1 + floor(random() * 300)::int AS reporter,
       1 + floor(random() * 20)::int AS handler
FROM generate_series(1, :n) g;

INSERT INTO incidents (number, reporter_id, status, customer_name, customer_number, description, idempotency_key,
                       created_at, updated_at, system_id, channel, occurred_at, urgency, priority, category_id,
                       assignee_id, group_id, first_response_due, resolution_due, first_responded_at, answered_at,
                       resolved_on_time, closed_at, sla_due_at, version)
SELECT 'MSS-' || to_char(p.created AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(p.n::text, 7, '0'),
       r.id,
       s.status,
       w.surnames[1 + floor(random() * 20)::int] || w.givens[1 + floor(random() * 20)::int],
       (310000000000 + floor(random() * 9999999))::bigint::text,
       '客户' || w.actions[1 + floor(random() * 24)::int] || '时提示“' || w.errors[1 + floor(random() * 19)::int] || '”，'
           || w.extras[1 + floor(random() * 12)::int] || '。',
       gen_random_uuid(),
       p.created, p.created + interval '1 hour',
       w.systems[1 + floor(random() * 6)::int],
       (ARRAY['app', 'app', 'app', 'web', 'branch', 'mini_program', 'call_center'])[1 + floor(random() * 7)::int],
       p.created,
       CASE WHEN p.r_pri < 0.15 THEN 'urgent' ELSE 'normal' END,
       pr.priority,
       CASE WHEN s.status = 'new' THEN NULL ELSE w.categories[1 + floor(p.r_cat * 3)::int] END,
       CASE WHEN s.status = 'new' THEN NULL ELSE h.id END,
       CASE WHEN s.status = 'transferred' THEN w.groups[1 + floor(random() * 4)::int] END,
       p.created + make_interval(mins => t.first_response_minutes),
       p.created + make_interval(mins => t.resolution_minutes),
       CASE WHEN s.status = 'new' THEN NULL ELSE p.created + interval '20 minutes' END,
       CASE WHEN s.status IN ('answered', 'closed') THEN p.created + random() * make_interval(mins => t.resolution_minutes * 5 / 4) END,
       NULL, CASE WHEN s.status IN ('closed', 'merged') THEN p.created + interval '3 days' END,
       CASE WHEN s.status = 'new' THEN p.created + make_interval(mins => t.first_response_minutes)
            WHEN s.status IN ('in_progress', 'transferred') THEN p.created + make_interval(mins => t.resolution_minutes) END,
       3
FROM picks p
CROSS JOIN words w
JOIN users r ON r.login = 'bench_agent' || p.reporter
JOIN users h ON h.login = 'bench_handler' || p.handler
CROSS JOIN LATERAL (SELECT CASE WHEN p.r_state < 0.02 THEN 'new' WHEN p.r_state < 0.05 THEN 'in_progress'
                                WHEN p.r_state < 0.07 THEN 'transferred' WHEN p.r_state < 0.12 THEN 'answered'
                                ELSE 'closed' END AS status) s
CROSS JOIN LATERAL (SELECT CASE WHEN p.r_pri < 0.03 THEN 'P1' WHEN p.r_pri < 0.15 THEN 'P2'
                                WHEN p.r_pri < 0.85 THEN 'P3' ELSE 'P4' END AS priority) pr
JOIN sla_targets t ON t.priority = pr.priority;

-- 3 % are duplicates merged into the incident made just before them; answered ones record on-time.
UPDATE incidents i SET status = 'merged', merged_into_id = i.id - 1
WHERE i.status = 'closed' AND random() < 0.03 AND EXISTS (SELECT 1 FROM incidents j WHERE j.id = i.id - 1);
UPDATE incidents SET resolved_on_time = answered_at <= resolution_due WHERE answered_at IS NOT NULL;
-- As the server's own sweeps leave the desk (so a benchmark does not measure them catching up):
-- an answered incident nobody objected to for 3 days is closed, and every due time that has
-- come close or passed has had its warning.
UPDATE incidents SET status = 'closed', closed_at = answered_at + interval '3 days'
WHERE status = 'answered' AND answered_at < now() - interval '3 days';
UPDATE incidents c SET sla_warned_due = c.sla_due_at, sla_breached_due = CASE WHEN c.sla_due_at <= now() THEN c.sla_due_at END
FROM sla_targets t
WHERE t.priority = c.priority AND c.sla_due_at IS NOT NULL
  AND c.sla_due_at <= now() + make_interval(secs => (CASE WHEN c.first_responded_at IS NULL THEN t.first_response_minutes
                                                     ELSE t.resolution_minutes END) * 15);
-- As autovacuum leaves a long-lived table: statistics, and the visibility map index-only scans need.
VACUUM ANALYZE incidents;
