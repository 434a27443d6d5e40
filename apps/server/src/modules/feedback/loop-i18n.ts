/**
 * "You told us …; we changed …" — the improvement notice in each language the shopper pages speak.
 * Teams reword it per language with the notices templates API (`feedback.improvement`).
 */
export const IMPROVEMENT_VARIABLES = ['improvement.title', 'improvement.said', 'improvement.change'];

const T: Record<string, { subject: string; body: string }> = {
  en: {
    subject: 'You told us, we changed it: {{improvement.title}}',
    body: 'Hi {{customer.first_name | there}},\n\nYou told us: “{{improvement.said}}”\n\nThank you — we changed it: {{improvement.change}}\n\n{{shop.name}}',
  },
  de: {
    subject: 'Sie haben es uns gesagt, wir haben es geändert: {{improvement.title}}',
    body: 'Hallo {{customer.first_name | zusammen}},\n\nSie haben uns geschrieben: „{{improvement.said}}“\n\nDanke — wir haben es geändert: {{improvement.change}}\n\n{{shop.name}}',
  },
  fr: {
    subject: 'Vous nous l’avez dit, nous l’avons changé : {{improvement.title}}',
    body: 'Bonjour {{customer.first_name | }},\n\nVous nous avez dit : « {{improvement.said}} »\n\nMerci — nous avons changé ceci : {{improvement.change}}\n\n{{shop.name}}',
  },
  es: {
    subject: 'Nos lo dijiste y lo hemos cambiado: {{improvement.title}}',
    body: 'Hola {{customer.first_name | }},\n\nNos dijiste: «{{improvement.said}}»\n\nGracias — lo hemos cambiado: {{improvement.change}}\n\n{{shop.name}}',
  },
  nl: {
    subject: 'U zei het, wij hebben het veranderd: {{improvement.title}}',
    body: 'Hallo {{customer.first_name | }},\n\nU liet ons weten: “{{improvement.said}}”\n\nDank u — we hebben dit veranderd: {{improvement.change}}\n\n{{shop.name}}',
  },
};

export const improvementTemplates = () => T;
