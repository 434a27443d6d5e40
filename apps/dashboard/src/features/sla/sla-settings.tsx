import { HoursForm } from './hours-form.tsx';
import { PoliciesSection } from './policies-form.tsx';

export default function SlaSettings() {
  return (
    <div className="stack">
      <h2>Business hours</h2>
      <HoursForm />
      <h2>SLA policies</h2>
      <PoliciesSection />
    </div>
  );
}
