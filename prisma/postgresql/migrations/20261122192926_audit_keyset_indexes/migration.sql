-- DropIndex
DROP INDEX "AuditLog_createdAt_idx";

-- DropIndex
DROP INDEX "AuditLog_actor_createdAt_idx";

-- DropIndex
DROP INDEX "AuditLog_action_createdAt_idx";

-- DropIndex
DROP INDEX "AuditLog_result_createdAt_idx";

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_id_idx" ON "AuditLog"("createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditLog_tenantName_createdAt_id_idx" ON "AuditLog"("tenantName", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditLog_actor_createdAt_id_idx" ON "AuditLog"("actor", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditLog_action_createdAt_id_idx" ON "AuditLog"("action", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditLog_result_createdAt_id_idx" ON "AuditLog"("result", "createdAt", "id");
