import { redirect } from "next/navigation";

/** `/admin`: the tenant list is the admin's home. */
export default function AdminHome() {
  redirect("/admin/tenants");
}
