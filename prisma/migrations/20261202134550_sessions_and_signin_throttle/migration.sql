-- DropIndex
DROP INDEX "AuditLog_tenantId_createdAt_idx";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "RateLimiterFlexible" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "points" INTEGER NOT NULL,
    "expire" DATETIME
);

-- CreateIndex
CREATE INDEX "Session_username_idx" ON "Session"("username");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE INDEX "AuditLog_tenantId_createdAt_id_idx" ON "AuditLog"("tenantId", "createdAt", "id");

-- Audit rows are now read per tenant by tenantId (lib/server/audit-query.ts), no longer by name, so
-- a tenant re-created under an old name does not inherit the old tenant's log; the index above
-- serves that keyset. Existing rows need no rewrite: the gate has always written tenantId for the
-- tenant it resolved for a member, and rows without one (anonymous requests, non-members, a
-- deleted tenant's history after ON DELETE SET NULL) are deliberately kept out of every tenant's
-- log. Platform admins still find them by tenant name.
