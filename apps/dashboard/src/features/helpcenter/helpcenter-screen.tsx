import { Link, useLocation, useParams } from '../../lib/router.tsx';
import { ArticleList } from './article-list.tsx';
import { ArticleScreen } from './article-screen.tsx';
import { CategoriesPage } from './categories-page.tsx';
import './helpcenter.css';

/** /helpcenter/* — articles, one article (edit, translations, history, stats), categories. */
export default function HelpCenterScreen() {
  const rest = (useParams()['*'] ?? '').split('/').filter(Boolean);
  const { path } = useLocation();
  let body: React.ReactNode;
  if (rest[0] === 'categories') body = <CategoriesPage />;
  else if (rest[0] === 'articles' && rest[1] === 'new') body = <ArticleScreen id={null} tab="edit" />;
  else if (rest[0] === 'articles' && /^\d+$/.test(rest[1] ?? ''))
    body = <ArticleScreen id={Number(rest[1])} tab={rest[2] ?? 'edit'} />;
  else body = <ArticleList />;
  const top = (to: string, label: string, active: boolean) => (
    <Link to={to} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <div className="page hc">
      <nav className="hc-top" aria-label="Help center">
        {top('/helpcenter', 'Articles', !path.startsWith('/helpcenter/categories'))}
        {top('/helpcenter/categories', 'Categories & sections', path.startsWith('/helpcenter/categories'))}
      </nav>
      {body}
    </div>
  );
}
