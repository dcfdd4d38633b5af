-- DropIndex
DROP INDEX "AuditLog_tenantId_createdAt_idx";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimiterFlexible" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "expire" TIMESTAMP(3),

    CONSTRAINT "RateLimiterFlexible_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "Session_username_idx" ON "Session"("username");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE INDEX "AuditLog_tenantId_createdAt_id_idx" ON "AuditLog"("tenantId", "createdAt", "id");

-- Audit rows are now read per tenant by tenantId (lib/server/audit/query.ts), no longer by name,
-- so a tenant re-created under an old name does not inherit the log of the old tenant. The index
-- above serves that keyset. Existing rows need no rewrite: the gate has always written tenantId
-- for the tenant it resolved for a member, and rows without one (anonymous requests, non-members,
-- the history of a deleted tenant after ON DELETE SET NULL) are kept out of every tenant log.
-- Platform admins still find them by tenant name.
-- (No apostrophes or semicolons in these comments: the PostgreSQL migration runner splits the
-- script into statements and took a quote in a comment for the start of a string.)
