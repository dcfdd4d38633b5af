-- CreateTable
CREATE TABLE "ConsoleLease" (
    "key" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleLease_pkey" PRIMARY KEY ("key")
);
