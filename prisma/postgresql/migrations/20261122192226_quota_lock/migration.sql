-- CreateTable
CREATE TABLE "QuotaLock" (
    "tenantId" TEXT NOT NULL,
    "holder" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QuotaLock_pkey" PRIMARY KEY ("tenantId")
);

-- AddForeignKey
ALTER TABLE "QuotaLock" ADD CONSTRAINT "QuotaLock_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
